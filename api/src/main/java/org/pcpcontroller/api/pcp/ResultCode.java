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
 * A PCP result code (RFC 6887 section 7.4), shaped like Netty's {@code DnsResponseCode}: {@link #valueOf(int)}
 * returns the canonical constant for a known code and a fresh "unknown" instance otherwise, so that a code this
 * server does not know still survives a decode/encode round trip.
 */
public final class ResultCode extends CodeValue<ResultCode> {
    public static final ResultCode SUCCESS = new ResultCode(0, "SUCCESS");
    public static final ResultCode UNSUPP_VERSION = new ResultCode(1, "UNSUPP_VERSION");
    public static final ResultCode NOT_AUTHORIZED = new ResultCode(2, "NOT_AUTHORIZED");
    public static final ResultCode MALFORMED_REQUEST = new ResultCode(3, "MALFORMED_REQUEST");
    public static final ResultCode UNSUPP_OPCODE = new ResultCode(4, "UNSUPP_OPCODE");
    public static final ResultCode UNSUPP_OPTION = new ResultCode(5, "UNSUPP_OPTION");
    public static final ResultCode MALFORMED_OPTION = new ResultCode(6, "MALFORMED_OPTION");
    public static final ResultCode NETWORK_FAILURE = new ResultCode(7, "NETWORK_FAILURE");
    public static final ResultCode NO_RESOURCES = new ResultCode(8, "NO_RESOURCES");
    public static final ResultCode UNSUPP_PROTOCOL = new ResultCode(9, "UNSUPP_PROTOCOL");
    public static final ResultCode USER_EX_QUOTA = new ResultCode(10, "USER_EX_QUOTA");
    public static final ResultCode CANNOT_PROVIDE_EXTERNAL = new ResultCode(11, "CANNOT_PROVIDE_EXTERNAL");
    public static final ResultCode ADDRESS_MISMATCH = new ResultCode(12, "ADDRESS_MISMATCH");
    public static final ResultCode EXCESSIVE_REMOTE_PEERS = new ResultCode(13, "EXCESSIVE_REMOTE_PEERS");

    private static final ImmutableMap<Integer, ResultCode> KNOWN = ImmutableMap.<Integer, ResultCode>builder()
        .put(0, SUCCESS).put(1, UNSUPP_VERSION).put(2, NOT_AUTHORIZED).put(3, MALFORMED_REQUEST)
        .put(4, UNSUPP_OPCODE).put(5, UNSUPP_OPTION).put(6, MALFORMED_OPTION).put(7, NETWORK_FAILURE)
        .put(8, NO_RESOURCES).put(9, UNSUPP_PROTOCOL).put(10, USER_EX_QUOTA).put(11, CANNOT_PROVIDE_EXTERNAL)
        .put(12, ADDRESS_MISMATCH).put(13, EXCESSIVE_REMOTE_PEERS)
        .build();

    private ResultCode(final int code, final String name) {
        super(code, name);
    }

    /**
     * The canonical constant for {@code code}, or an unknown instance named {@code UNKNOWN(code)}.
     *
     * @throws IllegalArgumentException if the code does not fit the 8-bit field
     */
    public static ResultCode valueOf(final int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("Result code " + code + " out of range 0..255");
        }
        final ResultCode known = KNOWN.get(code);
        return known != null ? known : new ResultCode(code, unknownName(code));
    }

    /**
     * Whether this is a short-lifetime error (RFC 6887 section 7.4): the condition is expected to clear soon, so
     * the response lifetime should be short (30 seconds is common) rather than long.
     */
    public boolean isShortLifetimeError() {
        final int code = code();
        return code == 7 || code == 8 || code == 10;
    }
}
