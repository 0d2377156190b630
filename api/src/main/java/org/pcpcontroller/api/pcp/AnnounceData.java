/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

/**
 * ANNOUNCE (RFC 6887 section 14.1) carries no opcode-specific data.
 */
public record AnnounceData() implements OpcodeData {
    @Override
    public Opcode opcode() {
        return Opcode.ANNOUNCE;
    }
}
