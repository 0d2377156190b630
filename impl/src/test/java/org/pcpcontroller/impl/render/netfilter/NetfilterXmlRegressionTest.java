/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opendaylight.netconf.api.xml.XmlUtil;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.Rule;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.Dnat;

/**
 * Replies that {@link NetfilterXml#parseRules} once read into rules that break the module or cannot be written
 * again, found by {@link NetfilterXmlFuzzTest} (docs/fuzzing.md, NETCONF-1 and NETCONF-2). Each reply is also in its
 * regression corpus ({@code NetfilterXmlFuzzTestInputs/reply}).
 */
class NetfilterXmlRegressionTest {
    private static final String HEAD = "<rpc-reply xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><data>"
        + "<netfilter xmlns=\"urn:pcpcontroller:yang:pcp-netfilter\"><rule><name>r</name>";
    private static final String TAIL = "</rule></netfilter></data></rpc-reply>";
    /** NETCONF-1: no mapping leaf, which pcp-netfilter makes mandatory. */
    private static final String NO_MAPPING = HEAD + "<family>ipv4</family><hook>forward</hook><accept/>" + TAIL;
    /** NETCONF-2: a DNAT to an address in a form the controller never writes. */
    private static final String ADDRESS = HEAD + "<mapping>m</mapping><family>ipv6</family><hook>prerouting</hook>"
        + "<dnat><to-address>%s</to-address></dnat>" + TAIL;

    private static Map<String, @Nullable Rule> parse(final String xml) throws Exception {
        return NetfilterXml.parseRules(XmlUtil.readXmlToDocument(new ByteArrayInputStream(
            xml.getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * NETCONF-1. A rule without its mandatory mapping leaf is unreadable (null), so that a reconcile replaces or
     * removes it; it was read as a rule, and writing it back threw from {@code requireMapping()}.
     */
    @Test
    void ruleWithoutItsMandatoryMappingIsUnreadable() throws Exception {
        final var rules = parse(NO_MAPPING);
        assertTrue(rules.containsKey("r"));
        assertNull(rules.get("r"));
    }

    /**
     * NETCONF-2. An IPv4-mapped IPv6 address (which Java reads as IPv4, so that writing the rule back threw
     * ClassCastException), also with leading zeros, is not a form the controller writes: the rule is unreadable. So
     * is a plain IPv4 address with leading zeros, which RFC 6991's ipv4-address pattern does not allow.
     */
    @ParameterizedTest
    @ValueSource(strings = { "::ffff:10.0.0.2", "::ffff:00.0.0.2", "::ffff:010.0.0.2", "::1:256.0.0.2",
        "::1:0000.0.0.2" })
    void addressesTheControllerNeverWritesMakeTheRuleUnreadable(final String address) throws Exception {
        final var rules = parse(ADDRESS.formatted(address));
        assertTrue(rules.containsKey("r"));
        assertNull(rules.get("r"));
    }

    @Test
    void ipv4AddressWithLeadingZerosMakesTheRuleUnreadable() throws Exception {
        final var rules = parse(HEAD + "<mapping>m</mapping><family>ipv4</family><hook>prerouting</hook>"
            + "<dnat><to-address>010.0.0.2</to-address></dnat>" + TAIL);
        assertTrue(rules.containsKey("r"));
        assertNull(rules.get("r"));
    }

    /**
     * NETCONF-2, the other side: an address the controller could have written, in another spelling, is read in the
     * canonical one, so that the rule writes back and reads back the same.
     */
    @ParameterizedTest
    @ValueSource(strings = { "::fffb:10.0.0.2", "2001:DB8:0:0::2", "::10.0.0.2" })
    void otherSpellingsReadBackTheSame(final String address) throws Exception {
        final var rules = parse(ADDRESS.formatted(address));
        final var rule = rules.get("r");
        assertTrue(rule != null, rules.toString());
        assertEquals(rules, NetfilterXml.parseRules(NetfilterXml.editConfig(NetfilterXml.Edit.of("candidate",
            List.of(rule), List.of()))));
    }

    /**
     * NETCONF-2, the exact inputs of the fuzz runs that failed CI (docs/fuzzing.md): {@code ::fffd:00.0.0.2} is
     * {@code ::fffd:0:2} (RFC 6991's ipv6-address allows leading zeros in the embedded dotted quad, decimal), and
     * {@code A::ffff:10.0.0.2} is no IPv4-mapped address. Both read as the address in canonical text and round-trip
     * through an edit-config; before the fix the first read back as {@code ::fffd:0:2} against its own text.
     */
    @ParameterizedTest
    @CsvSource({ "::fffd:00.0.0.2, ::fffd:0:2", "A::ffff:10.0.0.2, a::ffff:a00:2", "::1:000.099.0.2, ::1:63:2" })
    void fuzzFindingsRoundTrip(final String address, final String canonical) throws Exception {
        final var rules = parse(ADDRESS.formatted(address));
        final var rule = rules.get("r");
        assertTrue(rule != null, rules.toString());
        final var dnat = (Dnat) rule.getAction();
        assertEquals(canonical, dnat.getDnat().getToAddress().stringValue());
        assertEquals(rules, NetfilterXml.parseRules(NetfilterXml.editConfig(NetfilterXml.Edit.of("candidate",
            List.of(rule), List.of()))));
    }
}
