/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.Rule;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.RuleBuilder;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.w3c.dom.Document;

/**
 * The renderer's NETCONF XML: every rule it can render survives edit-config XML and a get-config reply unchanged,
 * which is what makes a reconcile of an unchanged gateway send nothing.
 */
class NetfilterXmlTest {
    private static Mapping map(final String internal, final int port, final List<Filter> filters) {
        return new Mapping(new MappingKey.Map("gw", 17, InetAddresses.forString(internal), port),
            InetAddresses.forString(internal.contains(":") ? internal : "192.0.3.1"), 40000, Origin.PCP, null,
            new Nonce(1, 1), Instant.EPOCH, null, null, new FlowPriority(46, 10), filters);
    }

    private static Mapping peer() {
        return new Mapping(new MappingKey.Peer("gw", 6, InetAddresses.forString("10.0.0.2"), 7000,
            InetAddresses.forString("198.51.100.7"), 443), InetAddresses.forString("192.0.3.1"), 41000, Origin.PCP,
            null, new Nonce(2, 2), Instant.EPOCH, null, null, new FlowPriority(46, 10), List.of());
    }

    private static String text(final Document doc) throws Exception {
        final var writer = new StringWriter();
        TransformerFactory.newInstance().newTransformer().transform(new DOMSource(doc), new StreamResult(writer));
        return writer.toString();
    }

    private static Document parse(final String xml) throws Exception {
        final var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyRenderedRuleSurvivesTheWireUnchanged() throws Exception {
        final var rules = new ArrayList<Rule>();
        rules.addAll(NetfilterRules.render(map("10.0.0.2", 5000, List.of(
            new Filter(InetAddresses.forString("203.0.113.0"), 24, 0))), true));
        rules.addAll(NetfilterRules.render(map("2001:db8::2", 6000, List.of()), true));
        rules.addAll(NetfilterRules.render(peer(), true));
        final var edit = text(NetfilterXml.editConfig(NetfilterXml.Edit.of("candidate", rules, List.of())));
        assertTrue(edit.contains("operation=\"replace\""), edit);
        // a get-config reply carries the same elements, without the operation attributes
        final var netfilter = edit.substring(edit.indexOf("<netfilter"), edit.indexOf("</netfilter>") + 12)
            .replaceAll(" [a-z0-9]+:operation=\"replace\"", "");
        final var reply = parse("<rpc-reply xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\" message-id=\"7\"><data>"
            + netfilter + "</data></rpc-reply>");
        final var expected = new TreeMap<String, Rule>();
        rules.forEach(rule -> expected.put(rule.requireName().getValue(), rule));
        assertEquals(expected, NetfilterXml.parseRules(reply));
        assertTrue(NetfilterRules.diff(expected, NetfilterXml.parseRules(reply)).isEmpty());
    }

    @Test
    void leaseEndAndOwnerSurviveTheWire() throws Exception {
        final var rules = NetfilterRules.render(map("10.0.0.2", 5000, List.of()), false);
        final var leased = new ArrayList<Rule>();
        rules.forEach(rule -> leased.add(new RuleBuilder(rule)
            .setExpires(NetfilterRules.expires(Instant.parse("2026-12-05T10:00:00Z"))).build()));
        final var edit = text(NetfilterXml.editConfig(new NetfilterXml.Edit("candidate",
            new NetfilterXml.OwnerChange.Write("pcp-controller/gateway=home-42"), leased, List.of(), List.of())));
        assertTrue(edit.contains("<expires>2026-12-05T10:00:00Z</expires>"), edit);
        final var netfilter = edit.substring(edit.indexOf("<netfilter"), edit.indexOf("</netfilter>") + 12)
            .replaceAll(" [a-z0-9]+:operation=\"replace\"", "");
        final var reply = parse("<rpc-reply xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><data>" + netfilter
            + "</data></rpc-reply>");
        final var expected = new TreeMap<String, Rule>();
        leased.forEach(rule -> expected.put(rule.requireName().getValue(), rule));
        assertEquals(expected, NetfilterXml.parseRules(reply));
        assertEquals("pcp-controller/gateway=home-42", NetfilterXml.parseOwner(reply));
        // without an owner the edit leaves the leaf alone
        assertFalse(text(NetfilterXml.editConfig(NetfilterXml.Edit.of("candidate", leased, List.of())))
            .contains("owner"));
    }

    @Test
    void aRuleWithAMalformedLeaseEndIsUnreadable() throws Exception {
        final Map<String, Rule> rules = NetfilterXml.parseRules(parse("""
            <rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data>
              <netfilter xmlns="urn:pcpcontroller:yang:pcp-netfilter">
                <rule><name>a/b</name><mapping>x</mapping><family>ipv4</family><hook>forward</hook><accept/>
                  <expires>tomorrow</expires></rule>
              </netfilter></data></rpc-reply>"""));
        assertTrue(rules.containsKey("a/b"));
        assertNull(rules.get("a/b"));
        assertNull(NetfilterXml.parseOwner(parse("<rpc-reply xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
            + "<data/></rpc-reply>")));
    }

    @Test
    void deletesNameTheRuleOnly() throws Exception {
        final var edit = text(NetfilterXml.editConfig(NetfilterXml.Edit.of("running", List.of(),
            List.of("map/udp/10.0.0.2/5000/dnat"))));
        assertTrue(edit.contains("operation=\"remove\""), edit);
        assertTrue(edit.contains("<target><running/></target>"), edit);
        assertTrue(edit.contains("rollback-on-error"), edit);
    }

    @Test
    void aRuleTheControllerCannotReadIsReportedUnderItsName() throws Exception {
        final Map<String, Rule> rules = NetfilterXml.parseRules(parse("""
            <rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data>
              <netfilter xmlns="urn:pcpcontroller:yang:pcp-netfilter">
                <rule><name>odd/one</name><mapping>x</mapping><family>ipv9</family><hook>forward</hook><accept/></rule>
              </netfilter></data></rpc-reply>"""));
        assertTrue(rules.containsKey("odd/one"));
        assertNull(rules.get("odd/one"));
        // so that a reconcile replaces or deletes it
        assertEquals(List.of("odd/one"), NetfilterRules.diff(Map.of(), rules).delete());
    }

    @Test
    void aLeaseRenewalWritesOnlyTheLeaseEnd() throws Exception {
        final var rule = new RuleBuilder(NetfilterRules.render(map("10.0.0.2", 5000, List.of()), false).getFirst())
            .setExpires(NetfilterRules.expires(Instant.parse("2026-12-05T10:00:00Z"))).build();
        final var edit = text(NetfilterXml.editConfig(new NetfilterXml.Edit("candidate", NetfilterXml.OwnerChange.KEEP,
            List.of(), List.of(rule), List.of())));
        final var element = edit.substring(edit.indexOf("<rule"), edit.indexOf("</rule>") + 7);
        // a merge of the rule's key and its lease end, nothing else
        assertFalse(element.contains("operation"), element);
        assertEquals("<rule><name>" + rule.requireName().getValue() + "</name><expires>2026-12-05T10:00:00Z"
            + "</expires></rule>", element.replaceAll(" xmlns(:[a-z0-9]+)?=\"[^\"]*\"", "")
                .replaceAll("<(/?)[a-z0-9]+:", "<$1"));
    }

    @Test
    void removingTheOwnerMarkNamesTheLeafOnly() throws Exception {
        final var edit = text(NetfilterXml.editConfig(new NetfilterXml.Edit("running",
            new NetfilterXml.OwnerChange.Remove(), List.of(), List.of(), List.of())));
        assertTrue(edit.matches("(?s).*<owner [^>]*\\b[a-z0-9]+:operation=\"remove\"/>.*"), edit);
    }

    @Test
    void lockAndUnlockNameTheTarget() throws Exception {
        assertTrue(text(NetfilterXml.lock("candidate")).contains("<lock><target><candidate/></target></lock>"));
        assertTrue(text(NetfilterXml.unlock("running")).contains("<unlock><target><running/></target></unlock>"));
    }

    @Test
    void addressesAreReadInTheFormTheControllerWrites() throws Exception {
        final Map<String, Rule> rules = NetfilterXml.parseRules(parse("""
            <rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data>
              <netfilter xmlns="urn:pcpcontroller:yang:pcp-netfilter">
                <rule><name>a</name><mapping>x</mapping><family>ipv6</family><hook>forward</hook>
                  <match><source-prefix>2001:DB8:0:0::/64</source-prefix>
                  <destination-address>2001:db8:0::0:2</destination-address></match><accept/></rule>
                <rule><name>b</name><mapping>x</mapping><family>ipv4</family><hook>forward</hook>
                  <match><source-prefix>10.0.0.1/24</source-prefix></match><accept/></rule>
                <rule><name>c</name><mapping>x</mapping><family>ipv6</family><hook>forward</hook>
                  <match><destination-address>fe80::1%eth0</destination-address></match><accept/></rule>
              </netfilter></data></rpc-reply>"""));
        final var match = rules.get("a").getMatch();
        assertEquals("2001:db8::/64", match.getSourcePrefix().getIpv6Prefix().getValue());
        assertEquals("2001:db8::2", match.getDestinationAddress().getIpv6Address().getValue());
        // host bits in a prefix, and a zone, are not what the controller writes: unreadable, so replaced
        assertTrue(rules.containsKey("b") && rules.get("b") == null, rules.toString());
        assertTrue(rules.containsKey("c") && rules.get("c") == null, rules.toString());
    }

    @Test
    void errorsAreReadFromTheReply() throws Exception {
        assertEquals(List.of("invalid-value: bad port"), NetfilterXml.errors(parse("""
            <rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><rpc-error><error-type>application</error-type>
            <error-tag>invalid-value</error-tag><error-message>bad port</error-message></rpc-error></rpc-reply>""")));
        assertEquals(List.of(new NetfilterXml.RpcError("lock-denied", null)), NetfilterXml.rpcErrors(parse("""
            <rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><rpc-error><error-type>protocol</error-type>
            <error-tag>lock-denied</error-tag></rpc-error></rpc-reply>""")));
        assertEquals(List.of(), NetfilterXml.errors(parse(
            "<rpc-reply xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><ok/></rpc-reply>")));
    }
}
