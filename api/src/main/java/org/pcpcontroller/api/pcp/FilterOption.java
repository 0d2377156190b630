/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;
import org.pcpcontroller.api.mapping.Filter;

/**
 * FILTER (RFC 6887 section 13.3), kept in wire terms so that it re-encodes byte for byte; may appear several
 * times. The prefix length counts bits of the 128-bit field, so an IPv4 /24 is 120; the value 0 means "no filter"
 * and removes all previous filters. {@link #filter()} converts to the mapping model's {@link Filter}, which counts
 * on the address's own family.
 *
 * @param prefixLength wire prefix length: 0, or 1..128 for IPv6, 96..128 for an IPv4-mapped address
 * @param remotePeerPort remote peer port, 0 for all ports
 * @param remotePeerAddress remote peer address
 */
public record FilterOption(int prefixLength, int remotePeerPort, InetAddress remotePeerAddress)
        implements PcpOption {
    public static final int CODE = 3;

    private static final int IPV4_MAPPED_PREFIX = 96;

    public FilterOption {
        requireNonNull(remotePeerAddress);
        if (!isValidPrefix(prefixLength, remotePeerAddress)) {
            throw new IllegalArgumentException("FILTER prefix length " + prefixLength + " invalid for "
                + remotePeerAddress.getHostAddress());
        }
        Wire.checkPort(remotePeerPort);
    }

    /**
     * The option for a mapping-model filter.
     */
    public static FilterOption of(final Filter filter) {
        final InetAddress address = filter.remotePeerAddress();
        return new FilterOption(address instanceof Inet4Address ? IPV4_MAPPED_PREFIX + filter.prefixLength()
            : filter.prefixLength(), filter.remotePeerPort(), address);
    }

    static boolean isValidPrefix(final int prefixLength, final InetAddress address) {
        return prefixLength == 0 || prefixLength <= 128
            && (prefixLength >= IPV4_MAPPED_PREFIX || !(address instanceof Inet4Address));
    }

    /**
     * Whether this is the "no filter" form (prefix length 0), which removes the mapping's filters.
     */
    public boolean isNoFilter() {
        return prefixLength == 0;
    }

    /**
     * The filter in mapping-model terms; empty for the "no filter" form.
     */
    public Optional<Filter> filter() {
        if (isNoFilter()) {
            return Optional.empty();
        }
        return Optional.of(new Filter(remotePeerAddress, remotePeerAddress instanceof Inet4Address
            ? prefixLength - IPV4_MAPPED_PREFIX : prefixLength, remotePeerPort));
    }
}
