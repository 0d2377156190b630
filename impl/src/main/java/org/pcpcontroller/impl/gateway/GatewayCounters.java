/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Counter64;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.ResultCode;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.Counters;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.CountersBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.counters.Request;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.counters.RequestBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.counters.RequestKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.counters.Response;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.counters.ResponseBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.counters.ResponseKey;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.osgi.service.component.annotations.Component;

/**
 * Request and response counters per gateway: the engine counts on its hot path (lock-free), the gateway tracker
 * publishes them as the gateway's operational state.
 */
@Component(service = GatewayCounters.class)
public final class GatewayCounters {
    // per gateway: 128 PCP opcodes, 128 NAT-PMP opcodes, 256 PCP result codes, requests over the rate, refusals
    // per mapping limit
    private static final int NAT_PMP = 128;
    private static final int RESULTS = 256;
    private static final int OVER_RATE = 512;
    private static final int REFUSED = OVER_RATE + 1;
    private static final int SIZE = REFUSED + MappingLimit.values().length;

    private final ConcurrentHashMap<String, AtomicLongArray> counters = new ConcurrentHashMap<>();

    /**
     * Counts a request of a protocol (PCP or NAT-PMP) and opcode.
     */
    public void request(final String gateway, final boolean pcp, final int opcode) {
        of(gateway).incrementAndGet((pcp ? 0 : NAT_PMP) + (opcode & 0x7f));
    }

    /**
     * Counts a PCP response with its result code.
     */
    public void response(final String gateway, final int resultCode) {
        of(gateway).incrementAndGet(RESULTS + (resultCode & 0xff));
    }

    /**
     * Counts a request dropped because the gateway's clients together exceeded its {@code request-rate}.
     */
    public void overRate(final String gateway) {
        of(gateway).incrementAndGet(OVER_RATE);
    }

    /**
     * Counts a new mapping refused because it would exceed a limit.
     */
    public void refused(final String gateway, final MappingLimit limit) {
        of(gateway).incrementAndGet(REFUSED + limit.ordinal());
    }

    private AtomicLongArray of(final String gateway) {
        final var existing = counters.get(gateway);
        return existing != null ? existing : counters.computeIfAbsent(gateway, id -> new AtomicLongArray(SIZE));
    }

    /**
     * Forgets a gateway that is no longer configured.
     */
    public void remove(final String gateway) {
        counters.remove(gateway);
    }

    /**
     * The counters of a gateway as its operational state, or null if nothing was counted.
     */
    public @Nullable Counters snapshot(final String gateway) {
        final var values = counters.get(gateway);
        if (values == null) {
            return null;
        }
        final var requests = new HashMap<RequestKey, Request>();
        for (int i = 0; i < RESULTS; i++) {
            final long count = values.get(i);
            if (count != 0) {
                final var request = new RequestBuilder()
                    .setProtocol(i < NAT_PMP ? Request.Protocol.Pcp : Request.Protocol.NatPmp)
                    .setOpcode(Uint8.valueOf(i % NAT_PMP))
                    .setCount(new Counter64(Uint64.valueOf(count)))
                    .build();
                requests.put(request.key(), request);
            }
        }
        final var responses = new HashMap<ResponseKey, Response>();
        for (int code = 0; code < RESULTS; code++) {
            final long count = values.get(RESULTS + code);
            // result codes the model does not know (never sent by this server) are not published
            final var known = ResultCode.forValue(code);
            if (count != 0 && known != null) {
                final var response = new ResponseBuilder().setResultCode(known)
                    .setCount(new Counter64(Uint64.valueOf(count))).build();
                responses.put(response.key(), response);
            }
        }
        return new CountersBuilder().setRequest(Map.copyOf(requests)).setResponse(Map.copyOf(responses))
            .setDroppedOverRequestRate(counter(values.get(OVER_RATE)))
            .setRefusedOverQuota(counter(values.get(REFUSED + MappingLimit.CLIENT_QUOTA.ordinal())))
            .setRefusedOverGatewayLimit(counter(values.get(REFUSED + MappingLimit.GATEWAY.ordinal())))
            .setRefusedOverControllerLimit(counter(values.get(REFUSED + MappingLimit.CONTROLLER.ordinal())))
            .build();
    }

    private static Counter64 counter(final long value) {
        return new Counter64(Uint64.valueOf(value));
    }
}
