/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

/**
 * A limit on the number of mappings that a new mapping would exceed. Each is counted in the gateway's state.
 */
public enum MappingLimit {
    /** The client's {@code per-client-quota}: an IPv4 address, or an IPv6 prefix. */
    CLIENT_QUOTA,
    /** The gateway's {@code max-mappings}. */
    GATEWAY,
    /** The controller's {@code maxMappings}, over every gateway. */
    CONTROLLER
}
