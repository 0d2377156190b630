/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import com.google.common.collect.ImmutableMap;
import org.pcpcontroller.api.codec.CodeValue;

/**
 * A PCP opcode (RFC 6887 section 7.1, 7 bits), shaped like Netty's {@code DnsOpCode}: {@link #valueOf(int)} returns
 * a canonical constant or an "unknown" instance. Whether an opcode is understood is decided by the
 * {@link PcpRegistry}, not by this class.
 */
public final class Opcode extends CodeValue<Opcode> {
    public static final Opcode ANNOUNCE = new Opcode(0, "ANNOUNCE");
    public static final Opcode MAP = new Opcode(1, "MAP");
    public static final Opcode PEER = new Opcode(2, "PEER");

    private static final ImmutableMap<Integer, Opcode> KNOWN = ImmutableMap.of(0, ANNOUNCE, 1, MAP, 2, PEER);

    private Opcode(final int code, final String name) {
        super(code, name);
    }

    /**
     * The canonical constant for {@code code}, or an unknown instance named {@code UNKNOWN(code)}.
     *
     * @throws IllegalArgumentException if the code does not fit the 7-bit field
     */
    public static Opcode valueOf(final int code) {
        if (code < 0 || code > 127) {
            throw new IllegalArgumentException("Opcode " + code + " out of range 0..127");
        }
        final Opcode known = KNOWN.get(code);
        return known != null ? known : new Opcode(code, unknownName(code));
    }
}
