/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import org.junit.jupiter.api.Test;

class IpPrefixTest {
    @Test
    void hostBitsAreCleared() {
        assertEquals("10.0.0.0/24", IpPrefix.parse("10.0.0.77/24").toString());
        assertEquals("2001:db8::/32", IpPrefix.parse("2001:db8:1::/32").toString());
    }

    @Test
    void containsAddressesInsideOnly() {
        final var prefix = IpPrefix.parse("10.0.0.0/24");
        assertTrue(prefix.contains(InetAddresses.forString("10.0.0.2")));
        assertTrue(prefix.contains(InetAddresses.forString("10.0.0.255")));
        assertFalse(prefix.contains(InetAddresses.forString("10.0.1.0")));
    }

    @Test
    void otherFamilyNeverMatches() {
        assertFalse(IpPrefix.parse("0.0.0.0/0").contains(InetAddresses.forString("::1")));
        assertFalse(IpPrefix.parse("::/0").contains(InetAddresses.forString("10.0.0.1")));
    }

    @Test
    void oddPrefixLengths() {
        final var prefix = IpPrefix.parse("192.0.2.128/25");
        assertTrue(prefix.contains(InetAddresses.forString("192.0.2.200")));
        assertFalse(prefix.contains(InetAddresses.forString("192.0.2.127")));
        assertTrue(IpPrefix.parse("0.0.0.0/0").contains(InetAddresses.forString("203.0.113.9")));
    }

    @Test
    void bareAddressIsHostPrefix() {
        assertEquals(32, IpPrefix.parse("10.1.2.3").length());
        assertEquals(128, IpPrefix.parse("fe80::1").length());
    }

    @Test
    void invalidTextIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("not-an-address/8"));
    }

    @Test
    void portRangeRejectsInvertedBounds() {
        assertThrows(IllegalArgumentException.class, () -> new PortRange(2000, 1000));
        assertEquals(1001, new PortRange(1000, 2000).size());
    }
}
