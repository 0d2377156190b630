/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

/**
 * The index's keys spread over hash values: a gateway with consecutive external addresses, and clients with
 * consecutive addresses and ports, must not pile up on a few values (they did with the records' own hash codes).
 */
class EndpointHashTest {
    @Test
    void consecutiveAddressesAndPortsGetDistinctHashes() {
        final var hashes = new HashSet<Integer>();
        int count = 0;
        for (int address = 1; address <= 20; address++) {
            final var external = InetAddresses.forString("192.0.3." + address);
            for (int port = 1024; port < 65536; port++) {
                hashes.add(new Mapping.ExternalEndpoint("gw", 6, external, port).hashCode());
                count++;
            }
        }
        // with 31 * h + port, these 1,290,240 endpoints had about 65,000 distinct hash codes
        assertTrue(hashes.size() > count * 99L / 100, hashes.size() + " distinct of " + count);

        hashes.clear();
        count = 0;
        for (int client = 2; client < 18; client++) {
            final var internal = InetAddresses.forString("127.0.0." + client);
            for (int port = 1024; port < 65536; port++) {
                hashes.add(new MappingKey.Map("gw", 6, internal, port).hashCode());
                count++;
            }
        }
        assertTrue(hashes.size() > count * 99L / 100, hashes.size() + " distinct of " + count);
    }

    @Test
    void equalKeysHashAlikeAndEveryComponentCounts() {
        final var address = InetAddresses.forString("10.0.0.2");
        final var remote = InetAddresses.forString("198.51.100.7");
        final var peer = new MappingKey.Peer("gw", 17, address, 7000, remote, 9000);
        final var same = new MappingKey.Peer("gw", 17, InetAddresses.forString("10.0.0.2"), 7000,
            InetAddresses.forString("198.51.100.7"), 9000);
        assertEquals(peer, same);
        assertEquals(peer.hashCode(), same.hashCode());
        assertNotEquals(peer, new MappingKey.Peer("gw2", 17, address, 7000, remote, 9000));
        assertNotEquals(peer, new MappingKey.Peer("gw", 6, address, 7000, remote, 9000));
        assertNotEquals(peer, new MappingKey.Peer("gw", 17, remote, 7000, remote, 9000));
        assertNotEquals(peer, new MappingKey.Peer("gw", 17, address, 7001, remote, 9000));
        assertNotEquals(peer, new MappingKey.Peer("gw", 17, address, 7000, address, 9000));
        assertNotEquals(peer, new MappingKey.Peer("gw", 17, address, 7000, remote, 9001));
        final var map = new MappingKey.Map("gw", 17, address, 7000);
        assertNotEquals(map, peer);
        assertEquals(map, new MappingKey.Map("gw", 17, InetAddresses.forString("10.0.0.2"), 7000));
        assertNotEquals(map, new MappingKey.Map("gw", 17, address, 7001));
        assertEquals(map.internalEndpoint(), peer.internalEndpoint());
        assertEquals(map.internalEndpoint().hashCode(), peer.internalEndpoint().hashCode());
        final var external = new Mapping.ExternalEndpoint("gw", 17, remote, 1);
        final var sameExternal = new Mapping.ExternalEndpoint("gw", 17, InetAddresses.forString("198.51.100.7"), 1);
        assertEquals(external, sameExternal);
        assertEquals(external.hashCode(), sameExternal.hashCode());
        assertNotEquals(external, new Mapping.ExternalEndpoint("gw", 6, remote, 1));
        assertNotEquals(external, new Mapping.ExternalEndpoint("gw", 17, remote, 2));
    }
}
