/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import com.offbynull.portmapper.gateways.network.NetworkGateway;
import com.offbynull.portmapper.mapper.MappedPort;
import com.offbynull.portmapper.mapper.PortMapper;
import com.offbynull.portmapper.mapper.PortType;
import com.offbynull.portmapper.mappers.natpmp.NatPmpPortMapper;
import com.offbynull.portmapper.mappers.pcp.PcpPortMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Drives the offbynull portmapper library (PCP and NAT-PMP) in its own process, run by
 * {@link ClientLibrariesSystemTest} inside the client's network namespace. One command per line on stdin, one
 * answer per line on stdout:
 * <pre>
 *   map pcp|natpmp TCP|UDP internalPort suggestedPort lifetime -&gt; mapped internalPort externalPort address lifetime
 *   refresh pcp|natpmp TCP|UDP internalPort lifetime           -&gt; refreshed ... (as mapped)
 *   unmap pcp|natpmp TCP|UDP internalPort                      -&gt; unmapped internalPort
 *   quit
 * </pre>
 * A failure answers {@code error <exception>}. The gateway is the default route's, read from the kernel as the
 * library's own discovery does through {@code netstat -rn}; the library's discovery itself is not used because it
 * also probes a built-in list of common home-router addresses, which a test must not send packets to.
 */
public final class PortMapperClient {
    private PortMapperClient() {
        // main only
    }

    // stdout is this process's answer channel to the test; any library failure is an answer, not a crash
    @SuppressWarnings({ "checkstyle:RegexpSinglelineJava", "checkstyle:IllegalCatch" })
    public static void main(final String[] args) throws Exception {
        final InetAddress gateway = defaultGateway();
        final InetAddress internal;
        try (var probe = new DatagramSocket()) {
            // no packet leaves: connecting a UDP socket only asks the kernel for the source address it would use
            probe.connect(new InetSocketAddress(gateway, 5351));
            internal = probe.getLocalAddress();
        }
        final var network = NetworkGateway.create().getBus();
        final Map<String, PortMapper> mappers = Map.of(
            "pcp", new PcpPortMapper(network, internal, gateway),
            "natpmp", new NatPmpPortMapper(network, internal, gateway));
        final Map<String, MappedPort> mapped = new HashMap<>();
        System.out.println("gateway " + gateway.getHostAddress() + " " + internal.getHostAddress());
        final var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.isBlank() && !"quit".equals(line.trim());
                line = in.readLine()) {
            final String[] word = line.trim().split("\\s+");
            try {
                final var mapper = mappers.get(word[1]);
                final var type = PortType.valueOf(word[2].toUpperCase(Locale.ROOT));
                final String key = word[1] + " " + type + " " + word[3];
                switch (word[0]) {
                    case "map" -> {
                        final var port = mapper.mapPort(type, Integer.parseInt(word[3]), Integer.parseInt(word[4]),
                            Long.parseLong(word[5]));
                        mapped.put(key, port);
                        System.out.println("mapped " + describe(port));
                    }
                    case "refresh" -> {
                        final var port = mapper.refreshPort(mapped.get(key), Long.parseLong(word[4]));
                        mapped.put(key, port);
                        System.out.println("refreshed " + describe(port));
                    }
                    case "unmap" -> {
                        mapper.unmapPort(mapped.remove(key));
                        System.out.println("unmapped " + word[3]);
                    }
                    default -> System.out.println("error unknown command " + word[0]);
                }
            } catch (RuntimeException e) {
                System.out.println("error " + e);
            }
        }
        // the library's gateway threads are not daemons
        System.exit(0);
    }

    private static String describe(final MappedPort port) {
        return port.getInternalPort() + " " + port.getExternalPort() + " " + port.getExternalAddress().getHostAddress()
            + " " + port.getLifetime();
    }

    // /proc/net/route: the default route has destination 00000000; the gateway is little-endian hex
    private static InetAddress defaultGateway() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
            final String[] field = line.trim().split("\\s+");
            if (field.length > 2 && "00000000".equals(field[1])) {
                final long value = Long.parseLong(field[2], 16);
                return InetAddress.getByAddress(new byte[] { (byte) value, (byte) (value >> 8),
                    (byte) (value >> 16), (byte) (value >> 24) });
            }
        }
        throw new IOException("no default route");
    }
}
