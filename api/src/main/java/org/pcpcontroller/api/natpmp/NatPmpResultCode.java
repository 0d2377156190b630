/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.natpmp;

import com.google.common.collect.ImmutableMap;
import org.pcpcontroller.api.codec.CodeValue;

/**
 * A NAT-PMP result code (RFC 6886 section 3.5, 16 bits), with canonical constants and "unknown" instances like
 * Netty's {@code DnsResponseCode}.
 */
public final class NatPmpResultCode extends CodeValue<NatPmpResultCode> {
    public static final NatPmpResultCode SUCCESS = new NatPmpResultCode(0, "SUCCESS");
    public static final NatPmpResultCode UNSUPPORTED_VERSION = new NatPmpResultCode(1, "UNSUPPORTED_VERSION");
    /**
     * Not authorized or refused, e.g. mappings disabled.
     */
    public static final NatPmpResultCode NOT_AUTHORIZED = new NatPmpResultCode(2, "NOT_AUTHORIZED");
    public static final NatPmpResultCode NETWORK_FAILURE = new NatPmpResultCode(3, "NETWORK_FAILURE");
    public static final NatPmpResultCode OUT_OF_RESOURCES = new NatPmpResultCode(4, "OUT_OF_RESOURCES");
    public static final NatPmpResultCode UNSUPPORTED_OPCODE = new NatPmpResultCode(5, "UNSUPPORTED_OPCODE");

    private static final ImmutableMap<Integer, NatPmpResultCode> KNOWN = ImmutableMap.of(0, SUCCESS,
        1, UNSUPPORTED_VERSION, 2, NOT_AUTHORIZED, 3, NETWORK_FAILURE, 4, OUT_OF_RESOURCES, 5, UNSUPPORTED_OPCODE);

    private NatPmpResultCode(final int code, final String name) {
        super(code, name);
    }

    /**
     * The canonical constant for {@code code}, or an unknown instance.
     *
     * @throws IllegalArgumentException if the code does not fit 16 bits
     */
    public static NatPmpResultCode valueOf(final int code) {
        if (code < 0 || code > 65535) {
            throw new IllegalArgumentException("Result code " + code + " out of range 0..65535");
        }
        final NatPmpResultCode known = KNOWN.get(code);
        return known != null ? known : new NatPmpResultCode(code, unknownName(code));
    }
}
