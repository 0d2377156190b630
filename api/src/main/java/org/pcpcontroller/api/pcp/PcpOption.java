/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

/**
 * A PCP option (RFC 6887 section 7.3). Not sealed on purpose: a new option is one class plus a registration in
 * {@link PcpRegistry}; the option code belongs to the registration, so a code that differs between deployments
 * (FLOW_PRIORITY) needs no change here.
 */
public interface PcpOption {
    /**
     * Whether a code is optional-to-process: the high bit set (RFC 6887 section 7.3).
     */
    static boolean isOptional(final int code) {
        return code >= 128;
    }
}
