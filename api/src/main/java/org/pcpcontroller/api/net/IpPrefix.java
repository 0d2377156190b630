/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.net;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 prefix (CIDR block). The network address is normalised: host bits are cleared.
 *
 * @param network the network address, host bits zero
 * @param length the prefix length, 0..32 for IPv4 and 0..128 for IPv6
 */
public record IpPrefix(InetAddress network, int length) {
    public IpPrefix {
        requireNonNull(network);
        final int max = network.getAddress().length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("Prefix length " + length + " out of range 0.." + max);
        }
        network = mask(network, length);
    }

    /**
     * Parses {@code address/length}, or a bare address as a host prefix.
     *
     * @throws IllegalArgumentException if the text is not an IP prefix
     */
    public static IpPrefix parse(final String text) {
        final int slash = text.indexOf('/');
        if (slash < 0) {
            final var address = InetAddresses.forString(text);
            return new IpPrefix(address, address.getAddress().length * 8);
        }
        final int length;
        try {
            length = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid prefix length in " + text, e);
        }
        return new IpPrefix(InetAddresses.forString(text.substring(0, slash)), length);
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    /**
     * Whether {@code address} lies inside this prefix. Addresses of the other family never do.
     */
    public boolean contains(final InetAddress address) {
        return network.getClass() == address.getClass() && mask(address, length).equals(network);
    }

    private static InetAddress mask(final InetAddress address, final int length) {
        final byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            final int bits = Math.min(8, Math.max(0, length - i * 8));
            bytes[i] &= (byte) (0xff00 >> bits);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("Impossible address length " + bytes.length, e);
        }
    }

    @Override
    public String toString() {
        return InetAddresses.toAddrString(network) + "/" + length;
    }
}
