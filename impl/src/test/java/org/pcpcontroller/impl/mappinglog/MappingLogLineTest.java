/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.mappinglog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.mappinglog.MappingEvent.Kind;

/**
 * The mapping log's line: the format operators grep, one test per part of it.
 */
class MappingLogLineTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Nonce NONCE = Nonce.ofHex("0102030405060708090a0b0c");

    private static Mapping natPmp(final @Nullable Instant expires) {
        return new Mapping(new MappingKey.Map("home-17", 17, InetAddresses.forString("192.168.1.10"), 5000),
            InetAddresses.forString("198.51.100.7"), 5000, Origin.NAT_PMP, null, null, NOW, expires, null, null,
            List.of());
    }

    private static Mapping pcpV6(final @Nullable Instant expires) {
        return new Mapping(new MappingKey.Map("home-17", 6, InetAddresses.forString("2001:db8:1::10"), 22),
            InetAddresses.forString("2001:db8:ff::1"), 2222, Origin.PCP, null, NONCE, NOW, expires, "ssh", null,
            List.of());
    }

    private static String line(final Kind kind, final Mapping mapping) {
        return MappingLogLine.format(new MappingEvent(kind, mapping, NOW));
    }

    @Test
    void everyKindIsItsWordAfterTheGateway() {
        final var mapping = natPmp(NOW.plusSeconds(3600));
        assertEquals("gateway=home-17 added UDP 192.168.1.10:5000 -> 198.51.100.7:5000 lifetime 3600 s (nat-pmp)",
            line(Kind.ADDED, mapping));
        assertEquals("gateway=home-17 refreshed UDP 192.168.1.10:5000 -> 198.51.100.7:5000 lifetime 3600 s "
            + "(nat-pmp)", line(Kind.REFRESHED, mapping));
        assertEquals("gateway=home-17 removed UDP 192.168.1.10:5000 -> 198.51.100.7:5000 lifetime 3600 s (nat-pmp)",
            line(Kind.REMOVED, mapping));
        assertEquals("gateway=home-17 expired UDP 192.168.1.10:5000 -> 198.51.100.7:5000 lifetime 0 s (nat-pmp)",
            line(Kind.EXPIRED, natPmp(NOW)));
    }

    @Test
    void ipv6EndpointsAreBracketedAsInAUri() {
        assertEquals("gateway=home-17 added TCP [2001:db8:1::10]:22 -> [2001:db8:ff::1]:2222 lifetime 7200 s "
            + "(pcp, nonce 0102030405060708090a0b0c, \"ssh\")", line(Kind.ADDED, pcpV6(NOW.plusSeconds(7200))));
        assertEquals("gateway=home-17 expired TCP [2001:db8:1::10]:22 -> [2001:db8:ff::1]:2222 lifetime 0 s "
            + "(pcp, nonce 0102030405060708090a0b0c, \"ssh\")", line(Kind.EXPIRED, pcpV6(NOW)));
    }

    @Test
    void peerNamesItsRemotePeerAfterTheExternalEndpoint() {
        final var peer = new Mapping(new MappingKey.Peer("home-17", 17, InetAddresses.forString("192.168.1.10"),
            5000, InetAddresses.forString("203.0.113.9"), 3478), InetAddresses.forString("198.51.100.7"), 5000,
            Origin.PCP, null, NONCE, NOW, NOW.plusSeconds(120), null, null, List.of());
        assertEquals("gateway=home-17 added UDP 192.168.1.10:5000 -> 198.51.100.7:5000 peer 203.0.113.9:3478 "
            + "lifetime 120 s (pcp, nonce 0102030405060708090a0b0c)", line(Kind.ADDED, peer));
    }

    @Test
    void aMappingWithoutALeaseIsStatic() {
        final var operator = new Mapping(new MappingKey.Map("home-17", 6, InetAddresses.forString("192.168.1.10"),
            22), InetAddresses.forString("198.51.100.7"), 10022, Origin.OPERATOR, null, null, NOW, null,
            "ssh to the NAS", null, List.of());
        assertEquals("gateway=home-17 removed TCP 192.168.1.10:22 -> 198.51.100.7:10022 static "
            + "(operator, \"ssh to the NAS\")", line(Kind.REMOVED, operator));
    }

    @Test
    void section13_1_aThirdPartyClientIsNamedButTheHostItselfIsNot() {
        final var mapping = natPmp(NOW.plusSeconds(60)).withOrigin(Origin.PCP);
        assertEquals("gateway=home-17 added UDP 192.168.1.10:5000 -> 198.51.100.7:5000 lifetime 60 s "
            + "(pcp, client 192.168.1.2)", line(Kind.ADDED, mapping.withClientAddress(
                InetAddresses.forString("192.168.1.2"))));
        assertEquals("gateway=home-17 added UDP 192.168.1.10:5000 -> 198.51.100.7:5000 lifetime 60 s (pcp)",
            line(Kind.ADDED, mapping.withClientAddress(InetAddresses.forString("192.168.1.10"))));
    }

    @Test
    void protocolsAreTheModelsNamesInCapitalsElseTheirNumber() {
        final var mapping = natPmp(NOW.plusSeconds(60));
        final var all = new Mapping(new MappingKey.Map("home-17", 0, InetAddresses.forString("192.168.1.10"), 0),
            InetAddresses.forString("198.51.100.7"), 0, Origin.OPERATOR, null, null, NOW, null, null, null,
            List.of());
        assertEquals("gateway=home-17 added ALL 192.168.1.10:0 -> 198.51.100.7:0 static (operator)",
            line(Kind.ADDED, all));
        final var sctp = new Mapping(new MappingKey.Map("home-17", 132, InetAddresses.forString("192.168.1.10"),
            5000), mapping.externalAddress(), 5000, Origin.PCP, null, null, NOW, null, null, null, List.of());
        assertTrue(line(Kind.ADDED, sctp).startsWith("gateway=home-17 added SCTP "), line(Kind.ADDED, sctp));
        final var gre = new Mapping(new MappingKey.Map("home-17", 47, InetAddresses.forString("192.168.1.10"),
            0), mapping.externalAddress(), 0, Origin.OPERATOR, null, null, NOW, null, null, null, List.of());
        assertTrue(line(Kind.ADDED, gre).startsWith("gateway=home-17 added 47 "), line(Kind.ADDED, gre));
    }

    @Test
    void lifetimeIsTheLeaseLeftRoundedUp() {
        assertEquals(3600, MappingLogLine.lifetimeSeconds(NOW.plusMillis(3), NOW.plusSeconds(3600)));
        assertEquals(3600, MappingLogLine.lifetimeSeconds(NOW, NOW.plusSeconds(3600)));
        assertEquals(1, MappingLogLine.lifetimeSeconds(NOW, NOW.plusMillis(1)));
        assertEquals(0, MappingLogLine.lifetimeSeconds(NOW, NOW));
        assertEquals(0, MappingLogLine.lifetimeSeconds(NOW.plus(Duration.ofMinutes(5)), NOW));
    }

    @Test
    void aDescriptionCannotBreakOrForgeALine() {
        final var forged = "x\ngateway=home-17 removed UDP 1.2.3.4:1 -> 5.6.7.8:1 \"quoted\" \\ \u202Eevil\u0007";
        final var line = line(Kind.ADDED, natPmp(null).withDescription(forged));
        assertEquals("gateway=home-17 added UDP 192.168.1.10:5000 -> 198.51.100.7:5000 static (nat-pmp, "
            + "\"x\\ngateway=home-17 removed UDP 1.2.3.4:1 -> 5.6.7.8:1 \\\"quoted\\\" \\\\ \\u202eevil\\u0007\")",
            line);
        assertFalse(line.chars().anyMatch(Character::isISOControl), line);
    }

    @Test
    void aLongDescriptionIsCutWithoutSplittingACharacter() {
        // 79 letters, then a character outside the BMP (two chars) as the 80th code point, then more
        final var smiley = Character.toString(0x1F600);
        final var description = "a".repeat(79) + smiley + "b".repeat(900);
        final var line = line(Kind.ADDED, natPmp(null).withDescription(description));
        assertTrue(line.endsWith(", \"" + "a".repeat(79) + smiley + "...\")"), line);
        final var exact = "c".repeat(MappingLogLine.DESCRIPTION_MAX);
        assertTrue(line(Kind.ADDED, natPmp(null).withDescription(exact)).endsWith("\"" + exact + "\")"));
    }

    @Test
    void anEmptyDescriptionIsLeftOut() {
        assertEquals("gateway=home-17 added UDP 192.168.1.10:5000 -> 198.51.100.7:5000 static (nat-pmp)",
            line(Kind.ADDED, natPmp(null).withDescription("")));
    }
}
