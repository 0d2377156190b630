/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import java.util.List;

/**
 * A PCP message (RFC 6887 section 7): a request or a response.
 */
public sealed interface PcpMessage permits PcpRequest, PcpResponse {
    /**
     * The version field: 2 for RFC 6887, 1 for the pre-RFC draft layout without nonces.
     */
    int version();

    /**
     * The opcode-specific data.
     */
    OpcodeData data();

    /**
     * The options in wire order.
     */
    List<PcpOption> options();

    default Opcode opcode() {
        return data().opcode();
    }
}
