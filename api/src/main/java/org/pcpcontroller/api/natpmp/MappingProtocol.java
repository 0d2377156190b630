/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.natpmp;

/**
 * The two protocols NAT-PMP maps, each with its own opcode (RFC 6886 section 3.3).
 */
public enum MappingProtocol {
    UDP(1, 17),
    TCP(2, 6);

    private final int opcode;
    private final int ianaNumber;

    MappingProtocol(final int opcode, final int ianaNumber) {
        this.opcode = opcode;
        this.ianaNumber = ianaNumber;
    }

    /**
     * The request opcode; the response opcode is this plus 128.
     */
    public int opcode() {
        return opcode;
    }

    /**
     * The IANA protocol number, as PCP and the mapping model use it.
     */
    public int ianaNumber() {
        return ianaNumber;
    }
}
