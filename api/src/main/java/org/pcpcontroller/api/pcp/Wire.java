/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Field helpers shared by the PCP parsers and serializers.
 */
final class Wire {
    private Wire() {
        // utility class
    }

    /**
     * Reads a 128-bit address field. An IPv4-mapped address (RFC 6887 section 5: all 96 prefix bits checked) comes
     * back as an {@link Inet4Address}, which is what {@link InetAddress#getByAddress(byte[])} already does.
     */
    static InetAddress readAddress(final ByteBuffer buf) {
        final byte[] bytes = new byte[16];
        buf.get(bytes);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always a valid address", e);
        }
    }

    static void writeAddress(final ByteBuffer buf, final InetAddress address) {
        if (address instanceof Inet4Address) {
            buf.put(new byte[10]).putShort((short) 0xffff).put(address.getAddress());
        } else if (address instanceof Inet6Address) {
            buf.put(address.getAddress());
        } else {
            throw new IllegalArgumentException("Unsupported address " + address);
        }
    }

    static void checkPort(final int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Invalid port " + port);
        }
    }

    static void checkProtocol(final int protocol) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("Invalid protocol " + protocol);
        }
    }

    static void checkU32(final long value, final String what) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException(what + " " + value + " out of range 0..2^32-1");
        }
    }

    static void checkVersion(final int version) {
        if (version != PcpCodec.VERSION_1 && version != PcpCodec.VERSION_2) {
            throw new IllegalArgumentException("PCP version " + version + " is neither 1 nor 2");
        }
    }
}
