/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.api.net.IpPrefix;

class MappingTableTest {
    private static final InetAddress EXT = InetAddresses.forString("192.0.3.1");
    private static final InetAddress HOST_A = InetAddresses.forString("10.0.0.2");
    private static final InetAddress HOST_B = InetAddresses.forString("10.0.0.3");

    private final MappingTable table = new MappingTable();

    static Mapping map(final int protocol, final InetAddress internal, final int internalPort, final int externalPort) {
        return new Mapping(new MappingKey.Map("gw1", protocol, internal, internalPort), EXT, externalPort,
            Origin.OPERATOR, null, null, Instant.EPOCH, null, null, null, List.of());
    }

    static Mapping peer(final InetAddress internal, final int internalPort, final int externalPort) {
        return new Mapping(new MappingKey.Peer("gw1", 17, internal, internalPort, InetAddresses.forString("8.8.8.8"),
            53), EXT, externalPort, Origin.PCP, null, null, Instant.EPOCH, null, null, null, List.of());
    }

    private MappingKey.InternalEndpoint conflict(final Mapping mapping) {
        return table.conflictingOwner(mapping.externalEndpoint(), mapping.key().internalEndpoint());
    }

    @Test
    void externalPortOfAnotherHostConflicts() {
        table.put(map(17, HOST_A, 5000, 5000));
        assertNotNull(conflict(map(17, HOST_B, 5000, 5000)));
        // another protocol on the same port is independent
        assertNull(conflict(map(6, HOST_B, 5000, 5000)));
    }

    @Test
    void peerSharesTheExternalPortOfItsMap() {
        table.put(map(17, HOST_A, 5000, 6000));
        assertNull(conflict(peer(HOST_A, 5000, 6000)));
        table.put(peer(HOST_A, 5000, 6000));
        table.remove(map(17, HOST_A, 5000, 6000).key());
        // the PEER still holds the port
        assertNotNull(conflict(map(17, HOST_B, 5000, 6000)));
        table.remove(peer(HOST_A, 5000, 6000).key());
        assertNull(conflict(map(17, HOST_B, 5000, 6000)));
    }

    @Test
    void protocolAllCoversEveryProtocol() {
        table.put(map(6, HOST_A, 7000, 7000));
        assertNotNull(conflict(map(0, HOST_B, 0, 7000)));
        table.remove(map(6, HOST_A, 7000, 7000).key());
        table.put(map(0, HOST_A, 0, 0));
        assertNotNull(conflict(map(17, HOST_B, 1234, 1234)));
    }

    @Test
    void allPortsCoversEveryPortOfTheProtocol() {
        table.put(map(17, HOST_A, 9000, 9000));
        assertNotNull(conflict(map(17, HOST_B, 0, 0)));
        assertNull(conflict(map(6, HOST_B, 0, 0)));
    }

    @Test
    void replacingAMappingReleasesItsOldPort() {
        table.put(map(17, HOST_A, 5000, 5000));
        table.put(map(17, HOST_A, 5000, 5001));
        assertNull(conflict(map(17, HOST_B, 5000, 5000)));
        assertNotNull(conflict(map(17, HOST_B, 5001, 5001)));
        assertEquals(1, table.size("gw1"));
        assertEquals(1, table.countForInternalHost("gw1", HOST_A));
    }

    @Test
    void nextFreePortSkipsUsedPortsAndWrapsAround() {
        final var range = new org.pcpcontroller.api.net.PortRange(5000, 5003);
        table.put(map(17, HOST_A, 1, 5001));
        table.put(map(17, HOST_A, 2, 5002));
        assertEquals(OptionalInt.of(5000), table.nextFreePort("gw1", EXT, 17, range, 5000));
        assertEquals(OptionalInt.of(5003), table.nextFreePort("gw1", EXT, 17, range, 5001));
        table.put(map(17, HOST_A, 3, 5003));
        assertEquals(OptionalInt.of(5000), table.nextFreePort("gw1", EXT, 17, range, 5001));
        table.put(map(17, HOST_A, 4, 5000));
        assertEquals(OptionalInt.empty(), table.nextFreePort("gw1", EXT, 17, range, 5002));
        // another protocol has its own ports
        assertEquals(OptionalInt.of(5002), table.nextFreePort("gw1", EXT, 6, range, 5002));
        table.remove(map(17, HOST_A, 2, 5002).key());
        assertEquals(OptionalInt.of(5002), table.nextFreePort("gw1", EXT, 17, range, 5000));
    }

    @Test
    void nextFreePortFindsTheLastPortOfABusyRange() {
        final var range = new org.pcpcontroller.api.net.PortRange(1024, 65535);
        for (int port = 1024; port < 65535; port++) {
            table.put(map(6, HOST_A, port, port));
        }
        assertEquals(OptionalInt.of(65535), table.nextFreePort("gw1", EXT, 6, range, 1024));
        table.put(map(6, HOST_A, 65535, 65535));
        assertEquals(OptionalInt.empty(), table.nextFreePort("gw1", EXT, 6, range, 30000));
    }

    @Test
    void allPortsMappingConflictsWithAnyPortInUseOfItsProtocol() {
        table.put(map(6, HOST_B, 2, 40001));
        assertNull(conflict(map(17, HOST_A, 0, 0)));
        table.put(map(17, HOST_B, 2, 40001));
        assertEquals(HOST_B, conflict(map(17, HOST_A, 0, 0)).address());
    }

    @Test
    void mappingsOfAHostAreIndexed() {
        table.put(map(17, HOST_A, 1, 5001));
        table.put(map(6, HOST_A, 1, 5001));
        table.put(map(17, HOST_B, 2, 5002));
        assertEquals(2, table.mappingsOf("gw1", HOST_A).size());
        assertEquals(2, table.countForInternalHost("gw1", HOST_A));
        table.remove(map(6, HOST_A, 1, 5001).key());
        assertEquals(1, table.mappingsOf("gw1", HOST_A).size());
        assertEquals(List.of(), table.mappingsOf("gw1", InetAddresses.forString("10.0.0.99")));
    }

    @Test
    void portSetsStaySmallUntilTheyHoldManyPortsAndAnswerTheSameEitherWay() {
        final var sparse = new MappingTable.PortSet();
        final var reference = new java.util.BitSet(65536);
        // past SPARSE_LIMIT the set turns into the bitmap; the answers must not change on the way
        for (int i = 0; i <= MappingTable.PortSet.SPARSE_LIMIT + 10; i++) {
            final int port = (i * 7919) % 65536;
            sparse.add(port);
            reference.set(port);
            if (i % 3 == 0) {
                sparse.remove(port);
                reference.clear(port);
            }
            for (int from : new int[] { 0, port, Math.min(65535, port + 1), 65535 }) {
                final int used = reference.nextSetBit(from);
                assertEquals(used < 0 ? OptionalInt.empty() : OptionalInt.of(used), sparse.nextUsed(from, 65535));
                final int free = reference.nextClearBit(from);
                assertEquals(free > 65535 ? OptionalInt.empty() : OptionalInt.of(free), sparse.nextFree(from, 65535));
            }
        }
        assertEquals(OptionalInt.empty(), new MappingTable.PortSet().nextUsed(0, 65535));
    }

    @Test
    void ipv6HostsAreCountedByPrefix() {
        final var a = InetAddresses.forString("2001:db8:1::2");
        final var b = InetAddresses.forString("2001:db8:1::ffff");
        final var c = InetAddresses.forString("2001:db8:2::2");
        table.put(pinhole(a, 80));
        table.put(pinhole(a, 443));
        table.put(pinhole(b, 80));
        table.put(pinhole(c, 80));
        assertEquals(3, table.countForInternalPrefix("gw1", new IpPrefix(a, 64)));
        assertEquals(2, table.countForInternalPrefix("gw1", new IpPrefix(a, 128)));
        assertEquals(4, table.countForInternalPrefix("gw1", new IpPrefix(a, 32)));
        assertEquals(0, table.countForInternalPrefix("gw2", new IpPrefix(a, 64)));
        assertEquals(4, table.total());
        table.remove(pinhole(a, 80).key());
        table.remove(pinhole(b, 80).key());
        assertEquals(1, table.countForInternalPrefix("gw1", new IpPrefix(a, 64)));
        assertEquals(2, table.total());
        // IPv4: one address
        table.put(map(17, HOST_A, 1, 5001));
        assertEquals(1, table.countForInternalPrefix("gw1", new IpPrefix(HOST_A, 32)));
    }

    private static Mapping pinhole(final InetAddress internal, final int port) {
        return new Mapping(new MappingKey.Map("gw1", 6, internal, port), internal, port, Origin.PCP, null, null,
            Instant.EPOCH, null, null, null, List.of());
    }
}
