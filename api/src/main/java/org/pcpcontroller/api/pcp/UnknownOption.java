/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An optional-to-process option (code 128..255) no parser is registered for. RFC 6887 section 7.3 says to ignore
 * it; it is kept byte for byte so that it can be echoed and re-encoded unchanged.
 *
 * @param code option code
 * @param data option data without header and padding
 */
public record UnknownOption(int code, byte[] data) implements PcpOption {
    public UnknownOption {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("Option code " + code + " out of range 0..255");
        }
        if (data.length > 65535) {
            throw new IllegalArgumentException("Option data of " + data.length + " bytes exceeds 65535");
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(final Object obj) {
        return this == obj || obj instanceof UnknownOption other && code == other.code
            && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "UnknownOption[code=" + code + ", data=" + HexFormat.of().formatHex(data) + "]";
    }
}
