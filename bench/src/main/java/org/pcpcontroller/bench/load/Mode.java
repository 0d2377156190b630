/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import java.nio.ByteBuffer;
import java.util.Locale;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.ResultCode;

/**
 * What the load generator sends. A <em>keyed</em> mode's response names the internal port of its request, so one
 * client socket can have many requests outstanding; an unkeyed one (ANNOUNCE, NAT-PMP public address) carries
 * nothing to match on, so each socket has at most one request outstanding.
 */
public enum Mode {
    /**
     * PCP v2 MAP (RFC 6887 section 11): one random nonce per client, a new internal port per request.
     */
    PCP_MAP("pcp-map", true, true),
    /**
     * PCP v2 ANNOUNCE (RFC 6887 section 14.1): the 24-byte header, lifetime 0.
     */
    PCP_ANNOUNCE("pcp-announce", true, false),
    /**
     * NAT-PMP public address request (RFC 6886 section 3.2).
     */
    NATPMP_ADDRESS("natpmp-address", false, false),
    /**
     * NAT-PMP UDP mapping request (RFC 6886 section 3.3), suggested external port = internal port.
     */
    NATPMP_MAP_UDP("natpmp-map-udp", false, true),
    /**
     * NAT-PMP TCP mapping request.
     */
    NATPMP_MAP_TCP("natpmp-map-tcp", false, true);

    // Packed parse result: a negative value is not a response of this mode; otherwise bits 0..16 hold the
    // internal port + 1 (0: the response names none) and bits 20..35 the result code.
    static final long INVALID = -1;
    private static final int PCP_MAP_SIZE = 60;
    private static final int PCP_INTERNAL_PORT = 40;
    private static final int NATPMP_MAP_RESPONSE_SIZE = 16;
    private static final int NATPMP_INTERNAL_PORT = 8;

    private final String cliName;
    private final boolean pcp;
    private final boolean keyed;

    Mode(final String cliName, final boolean pcp, final boolean keyed) {
        this.cliName = cliName;
        this.pcp = pcp;
        this.keyed = keyed;
    }

    /**
     * The name on the command line and in reports.
     */
    public String cliName() {
        return cliName;
    }

    public boolean isPcp() {
        return pcp;
    }

    /**
     * Whether responses name the internal port of their request, and requests create mappings.
     */
    public boolean isKeyed() {
        return keyed;
    }

    /**
     * The mode called {@code name} on the command line.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static Mode ofCliName(final String name) {
        for (Mode mode : values()) {
            if (mode.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("Unknown mode " + name);
    }

    /**
     * The name of a result code of this mode's protocol.
     */
    String resultName(final int code) {
        return pcp ? ResultCode.valueOf(code).name() : NatPmpResultCode.valueOf(code).name();
    }

    /**
     * Reads what matching needs from a datagram received from the target, without allocating: checks the version
     * and the response opcode, and returns the packed result (see {@link #key(long)}, {@link #resultCode(long)}),
     * or {@link #INVALID}.
     *
     * @param buf the datagram, from position 0 to the limit
     */
    long parse(final ByteBuffer buf) {
        final int length = buf.limit();
        if (pcp) {
            // RFC 6887 section 7.2: version 2, R bit and opcode, result code in byte 3
            if (length < 24 || buf.get(0) != 2 || (buf.get(1) & 0xff) != (0x80 | opcode())) {
                return INVALID;
            }
            final int port = this == PCP_MAP && length >= PCP_MAP_SIZE
                ? Short.toUnsignedInt(buf.getShort(PCP_INTERNAL_PORT)) + 1 : 0;
            return pack(port, buf.get(3) & 0xff);
        }
        // RFC 6886 section 3.5: version 0, opcode + 128, 16-bit result code
        if (length < 8 || buf.get(0) != 0 || (buf.get(1) & 0xff) != (0x80 | opcode())) {
            return INVALID;
        }
        final int port = keyed && length >= NATPMP_MAP_RESPONSE_SIZE
            ? Short.toUnsignedInt(buf.getShort(NATPMP_INTERNAL_PORT)) + 1 : 0;
        return pack(port, Short.toUnsignedInt(buf.getShort(2)));
    }

    /**
     * The internal port named by a packed parse result, or -1.
     */
    static int key(final long parsed) {
        return (int) (parsed & 0x1ffff) - 1;
    }

    static int resultCode(final long parsed) {
        return (int) (parsed >>> 20 & 0xffff);
    }

    private static long pack(final int portPlusOne, final int resultCode) {
        return (long) resultCode << 20 | portPlusOne;
    }

    /**
     * The request opcode on the wire.
     */
    int opcode() {
        return switch (this) {
            case PCP_ANNOUNCE, NATPMP_ADDRESS -> 0;
            case PCP_MAP, NATPMP_MAP_UDP -> 1;
            case NATPMP_MAP_TCP -> 2;
        };
    }
}
