/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.mapping;

import java.util.HexFormat;

/**
 * The 96-bit PCP mapping nonce (RFC 6887 section 11.1), held as two words to stay immutable and small.
 *
 * @param high the first 8 bytes on the wire, big-endian
 * @param low the last 4 bytes on the wire, big-endian
 */
public record Nonce(long high, int low) {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Parses 24 hex digits in wire byte order.
     *
     * @throws IllegalArgumentException if the text is not 24 hex digits
     */
    public static Nonce ofHex(final String hex) {
        if (hex.length() != 24) {
            throw new IllegalArgumentException("A nonce has 24 hex digits, not " + hex.length());
        }
        return new Nonce(HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigits(hex, 16, 24));
    }

    /**
     * The 24 lower-case hex digits in wire byte order.
     */
    public String toHex() {
        return HEX.toHexDigits(high) + HEX.toHexDigits(low);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
