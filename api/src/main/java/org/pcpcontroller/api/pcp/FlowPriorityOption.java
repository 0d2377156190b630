/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import org.pcpcontroller.api.mapping.FlowPriority;

/**
 * FLOW_PRIORITY, the Cisco-experimental option of libpcp and miniupnpd: {@code dscp_up, dscp_down, reserved,
 * resp}. It has no IANA code: libpcp sends 99, miniupnpd reads 4, so the code is chosen when the
 * {@link PcpRegistry} is built.
 *
 * @param priority the requested DSCP values
 * @param response the most significant bit of the fourth byte, which libpcp reserves for the response
 */
public record FlowPriorityOption(FlowPriority priority, boolean response) implements PcpOption {
    /**
     * The code libpcp sends.
     */
    public static final int LIBPCP_CODE = 99;
    /**
     * The code miniupnpd reads when built with {@code PCP_FLOWP}.
     */
    public static final int MINIUPNPD_CODE = 4;
    /**
     * The option codes IANA reserved or assigned to other options (PCP Parameters, PCP Options registry), which
     * FLOW_PRIORITY must not take: under them it would replace THIRD_PARTY, PREFER_FAILURE, FILTER or DESCRIPTION for
     * every client of the gateway, or read another option's data as DSCP values. Code 4, RFC 7652's NONCE, is left
     * out: miniupnpd reads FLOW_PRIORITY there, this server does not process RFC 7652, and a gateway that serves
     * miniupnpd's clients needs it.
     */
    private static final Map<Integer, String> ASSIGNED_CODES = Map.ofEntries(
        Map.entry(0, "reserved"),
        Map.entry(ThirdPartyOption.CODE, "THIRD_PARTY (RFC 6887)"),
        Map.entry(PreferFailureOption.CODE, "PREFER_FAILURE (RFC 6887)"),
        Map.entry(FilterOption.CODE, "FILTER (RFC 6887)"),
        Map.entry(5, "AUTHENTICATION_TAG (RFC 7652)"),
        Map.entry(6, "PA_AUTHENTICATION_TAG (RFC 7652)"),
        Map.entry(7, "EAP_PAYLOAD (RFC 7652)"),
        Map.entry(8, "PRF (RFC 7652)"),
        Map.entry(9, "MAC_ALGORITHM (RFC 7652)"),
        Map.entry(10, "SESSION_LIFETIME (RFC 7652)"),
        Map.entry(11, "RECEIVED_PAK (RFC 7652)"),
        Map.entry(12, "ID_INDICATOR (RFC 7652)"),
        Map.entry(DescriptionOption.CODE, "DESCRIPTION (RFC 7220)"),
        Map.entry(129, "PREFIX64 (RFC 7225)"),
        Map.entry(130, "PORT_SET (RFC 7753)"),
        Map.entry(131, "THIRD_PARTY_ID (RFC 7843)"));

    public FlowPriorityOption {
        requireNonNull(priority);
    }

    /**
     * Why FLOW_PRIORITY cannot be carried under this option code: the option IANA gave the code to, or "reserved";
     * empty when the code is free for it.
     */
    public static Optional<String> codeTakenBy(final int code) {
        return Optional.ofNullable(ASSIGNED_CODES.get(code));
    }
}
