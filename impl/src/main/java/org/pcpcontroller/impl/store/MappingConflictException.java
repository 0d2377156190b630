/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.MappingKey.InternalEndpoint;

/**
 * A mapping could not be stored because it exists already, or its external endpoint belongs to another internal
 * endpoint.
 */
public final class MappingConflictException extends Exception {
    private static final long serialVersionUID = 1L;

    public MappingConflictException(final MappingKey existing) {
        super("A mapping " + existing + " already exists");
    }

    public MappingConflictException(final ExternalEndpoint external, final InternalEndpoint holder) {
        super("External " + external.address().getHostAddress() + " protocol " + external.protocol() + " port "
            + external.port() + " is already mapped to " + holder.address().getHostAddress() + " port "
            + holder.port());
    }
}
