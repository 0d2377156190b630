/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.operator;

import org.opendaylight.yangtools.yang.common.ErrorTag;

/**
 * An operator request that cannot be carried out, with the NETCONF error tag RESTCONF reports it under.
 */
final class InvalidRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    // ErrorTag is not Serializable; its text is.
    private final String tag;

    InvalidRequestException(final ErrorTag tag, final String message) {
        super(message);
        this.tag = tag.elementBody();
    }

    InvalidRequestException(final String message) {
        this(ErrorTag.INVALID_VALUE, message);
    }

    ErrorTag tag() {
        return new ErrorTag(tag);
    }
}
