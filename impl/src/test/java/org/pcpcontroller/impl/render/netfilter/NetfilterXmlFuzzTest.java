/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.opendaylight.netconf.api.xml.XmlUtil;
import org.w3c.dom.Document;
import org.xml.sax.SAXException;

/**
 * Jazzer fuzz target of the NETCONF reply parser. A reply reaches {@link NetfilterXml#parseRules} and
 * {@link NetfilterXml#errors} as a DOM document that ODL's NETCONF decoder built with
 * {@link XmlUtil#readXmlToDocument(java.io.InputStream)} (no DOCTYPE, no external entities); so the input is parsed
 * the same way, and only that parser's documented SAXException / IOException may end an input. The two readers are
 * total: they never throw, every named rule is reported (null when unreadable), a rule they read has the model's
 * mandatory leaves, and it renders to an edit-config that reads back to the same rule. Addresses are read into the
 * canonical text the controller writes (or make the rule unreadable), so the same rule is the same text: equality of
 * the rules is the semantic comparison. The input is either raw bytes or a get-config reply built
 * from fuzzed leaf values, which reaches the value parsing that random XML seldom does. Seeds and findings live in
 * {@code NetfilterXmlFuzzTestInputs/reply}; docs/fuzzing.md says how to run it long.
 */
class NetfilterXmlFuzzTest {
    private static final List<String> FAMILIES = List.of("ipv4", "ipv6");
    private static final List<String> HOOKS = List.of("prerouting", "forward", "postrouting");
    private static final List<String> PROTOCOLS = List.of("all", "tcp", "udp", "dccp", "sctp", "udplite");
    private static final List<String> ADDRESSES = List.of("10.0.0.2", "192.0.3.1", "2001:db8::2", "::ffff:10.0.0.2",
        "10.0.0.0/24", "2001:db8::/64", "0.0.0.0", "::fffb:00.0.0.2", "2001:DB8:0::2", "10.0.0.1/24",
        // NETCONF-2, the inputs of the fuzz runs that failed CI (docs/fuzzing.md)
        "::fffd:00.0.0.2", "A::ffff:10.0.0.2", "010.0.0.2");
    private static final List<String> NUMBERS = List.of("0", "22", "5351", "65535", "65536", "46", "63", "64", "-1");

    @FuzzTest
    void reply(final FuzzedDataProvider data) {
        final byte[] xml = data.consumeBoolean() ? data.consumeRemainingAsBytes()
            : structuredReply(data).getBytes(StandardCharsets.UTF_8);
        final Document reply;
        try {
            reply = XmlUtil.readXmlToDocument(new ByteArrayInputStream(xml));
        } catch (SAXException | IOException e) {
            // the decoder's documented refusal: the session reports a malformed message, nothing is parsed
            return;
        }
        final var errors = NetfilterXml.errors(reply);
        assertEquals(reply.getElementsByTagNameNS(NetfilterXml.BASE, "rpc-error").getLength(), errors.size());
        final var rules = NetfilterXml.parseRules(reply);
        final var elements = reply.getElementsByTagNameNS(NetfilterXml.NETFILTER, "rule");
        assertTrue(rules.size() <= elements.getLength());
        for (var entry : rules.entrySet()) {
            final var rule = entry.getValue();
            if (rule == null) {
                continue;
            }
            assertEquals(entry.getKey(), rule.requireName().getValue());
            // the model's mandatory leaves (NETCONF-1 read a rule without its mapping)
            assertNotNull(rule.getMapping());
            assertNotNull(rule.getFamily());
            assertNotNull(rule.getHook());
            assertNotNull(rule.getAction());
            // what the controller reads it can write, and reads back the same
            final var again = NetfilterXml.parseRules(NetfilterXml.editConfig(NetfilterXml.Edit.of("candidate",
                List.of(rule), List.of())));
            assertEquals(Map.of(entry.getKey(), rule), again, "edit-config of a rule read back");
        }
    }

    /** A get-config reply with up to three rules and maybe an rpc-error, each leaf a plausible or a fuzzed value. */
    private static String structuredReply(final FuzzedDataProvider data) {
        final var xml = new StringBuilder("<rpc-reply xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\" "
            + "message-id=\"1\"><data><netfilter xmlns=\"urn:pcpcontroller:yang:pcp-netfilter\">");
        for (int i = data.consumeInt(0, 3); i > 0; i--) {
            xml.append("<rule>");
            leaf(xml, data, "name", List.of("map/udp/10.0.0.2/5000/dnat", "peer/tcp/10.0.0.2/7000/snat"));
            leaf(xml, data, "mapping", List.of("gw1 MAP 17 10.0.0.2:5000"));
            leaf(xml, data, "family", FAMILIES);
            leaf(xml, data, "hook", HOOKS);
            if (data.consumeBoolean()) {
                xml.append("<match>");
                leaf(xml, data, "protocol", PROTOCOLS);
                leaf(xml, data, "source-prefix", ADDRESSES);
                leaf(xml, data, "source-port", NUMBERS);
                leaf(xml, data, "destination-address", ADDRESSES);
                leaf(xml, data, "destination-port", NUMBERS);
                xml.append("</match>");
            }
            switch (data.consumeInt(0, 4)) {
                case 0 -> {
                    xml.append("<dnat>");
                    leaf(xml, data, "to-address", ADDRESSES);
                    leaf(xml, data, "to-port", NUMBERS);
                    xml.append("</dnat>");
                }
                case 1 -> {
                    xml.append("<snat>");
                    leaf(xml, data, "to-address", ADDRESSES);
                    leaf(xml, data, "to-port", NUMBERS);
                    xml.append("</snat>");
                }
                case 2 -> xml.append("<accept/>");
                case 3 -> leaf(xml, data, "set-dscp", NUMBERS);
                default -> {
                    // no action: unreadable
                }
            }
            leaf(xml, data, "comment", List.of("ssh to the NAS", ""));
            xml.append("</rule>");
        }
        xml.append("</netfilter></data>");
        if (data.consumeBoolean()) {
            xml.append("<rpc-error>");
            leaf(xml, data, "error-tag", List.of("invalid-value", "lock-denied"));
            leaf(xml, data, "error-message", List.of("bad port"));
            xml.append("</rpc-error>");
        }
        return xml.append("</rpc-reply>").toString();
    }

    // absent, one of the plausible values, or a fuzzed string (escaped, so the document stays well formed)
    private static void leaf(final StringBuilder xml, final FuzzedDataProvider data, final String name,
            final List<String> plausible) {
        final int choice = data.consumeInt(0, 3);
        if (choice == 0) {
            return;
        }
        final String value = choice == 3 ? data.consumeString(48) : plausible.get(data.consumeInt(0,
            plausible.size() - 1));
        xml.append('<').append(name).append('>').append(escape(value)).append("</").append(name).append('>');
    }

    private static String escape(final String text) {
        final var out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                default -> {
                    // XML 1.0 section 2.2: only these characters may appear in a document at all
                    if (cp == 0x9 || cp == 0xA || cp == 0xD || cp >= 0x20 && cp <= 0xD7FF
                            || cp >= 0xE000 && cp <= 0xFFFD || cp >= 0x10000 && cp <= 0x10FFFF) {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.toString();
    }
}
