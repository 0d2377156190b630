/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.ExternalPortRangeBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.PolicyBuilder;
import org.opendaylight.yangtools.binding.runtime.spi.BindingRuntimeHelpers;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.impl.gateway.GatewayParser;
import org.pcpcontroller.impl.gateway.ModelDefaults;

/**
 * The gateway both benchmarks use, and the clients whose mappings fill it. Client key {@code k} is internal address
 * 10.1.0.0 + k / 500 and internal port 1024 + k % 500, with a nonce of its own address: a million keys use 2,000
 * clients, each within the per-client quota the gateway sets.
 */
final class BenchGateway {
    static final String ID = "bench";
    /** External addresses 192.0.3.1 ..: 16 of them hold 1,032,192 mappings per protocol. */
    static final int EXTERNAL_ADDRESSES = 16;
    static final int FIRST_PORT = 1024;
    static final int LAST_PORT = 65535;
    static final int PORTS_PER_CLIENT = 500;
    private static final int FIRST_CLIENT = 0x0A01_0000;
    private static final int FIRST_EXTERNAL = 0xC000_0301;
    /** The gateway parser with the model's defaults, as the controller builds it from its schema. */
    static final GatewayParser PARSER = new GatewayParser(new ModelDefaults(BindingRuntimeHelpers.createEffectiveModel(
        Gateways.class, FlowPriority.class)));

    private BenchGateway() {
        // constants and helpers
    }

    /**
     * The gateway: 16 external IPv4 addresses, internal prefix 10.0.0.0/8, external ports 1024..65535, a per-client
     * quota and a gateway limit of a million, and a request rate no benchmark reaches: a benchmark measures the
     * engine, not a home's limits.
     */
    static Gateway gateway() {
        final var external = new ArrayList<IpAddress>();
        for (var address : externalAddresses()) {
            external.add(IetfInetUtil.ipAddressFor(address));
        }
        return new GatewayBuilder()
            .setId(new GatewayId(ID))
            .setExternalAddress(external)
            .setInternalPrefix(Set.of(IetfInetUtil.ipPrefixFor("10.0.0.0/8")))
            .setExternalPortRange(new ExternalPortRangeBuilder()
                .setStart(new PortNumber(Uint16.valueOf(FIRST_PORT)))
                .setEnd(new PortNumber(Uint16.valueOf(LAST_PORT))).build())
            .setPolicy(new PolicyBuilder().setPerClientQuota(Uint32.valueOf(1_000_000))
                .setMaxMappings(Uint32.valueOf(1_000_000)).setRequestRate(Uint32.MAX_VALUE).build())
            .build();
    }

    static List<InetAddress> externalAddresses() {
        final var addresses = new ArrayList<InetAddress>();
        for (int i = 0; i < EXTERNAL_ADDRESSES; i++) {
            addresses.add(ipv4(FIRST_EXTERNAL + i));
        }
        return addresses;
    }

    static InetAddress client(final int key) {
        return ipv4(FIRST_CLIENT + key / PORTS_PER_CLIENT);
    }

    static int internalPort(final int key) {
        return FIRST_PORT + key % PORTS_PER_CLIENT;
    }

    static Nonce nonce(final int key) {
        return new Nonce(0x5043_0000_0000_0000L | key / PORTS_PER_CLIENT, 0x6265_6e63);
    }

    static InetAddress ipv4(final int address) {
        try {
            return InetAddress.getByAddress(new byte[] {
                (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address });
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }
}
