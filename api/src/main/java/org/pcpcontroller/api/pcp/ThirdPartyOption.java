/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;

/**
 * THIRD_PARTY (RFC 6887 section 13.1): the internal address the mapping is made for.
 *
 * @param internalAddress internal IP address
 */
public record ThirdPartyOption(InetAddress internalAddress) implements PcpOption {
    public static final int CODE = 1;

    public ThirdPartyOption {
        requireNonNull(internalAddress);
    }
}
