/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.operator;

import static java.util.Objects.requireNonNull;

import org.opendaylight.yangtools.yang.common.ErrorTag;

/**
 * An operator request that cannot be carried out, with the NETCONF error tag RESTCONF reports it under.
 */
final class InvalidRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient ErrorTag tag;

    InvalidRequestException(final ErrorTag tag, final String message) {
        super(message);
        this.tag = requireNonNull(tag);
    }

    InvalidRequestException(final String message) {
        this(ErrorTag.INVALID_VALUE, message);
    }

    ErrorTag tag() {
        return tag;
    }
}
