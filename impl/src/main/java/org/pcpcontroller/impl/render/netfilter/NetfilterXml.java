/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import com.google.common.net.InetAddresses;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.RuleName;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.Transport;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.Rule;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.RuleBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.Action;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.MatchBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.Accept;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.AcceptBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.Dnat;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.DnatBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.SetDscp;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.SetDscpBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.Snat;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.rule.action.SnatBuilder;
import org.opendaylight.yangtools.yang.common.Empty;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The NETCONF messages of the netfilter renderer, as DOM documents: {@code <get-config>} of the
 * {@code pcp-netfilter} subtree, {@code <edit-config>} carrying many rules at once, {@code <commit>} and
 * {@code <discard-changes>}, and the parsing of a {@code <get-config>} reply back into rules. The module is small
 * and fixed, so its XML is written and read here directly rather than through a schema-driven codec.
 */
public final class NetfilterXml {
    /** The base NETCONF namespace (RFC 6241). */
    public static final String BASE = "urn:ietf:params:xml:ns:netconf:base:1.0";
    /** The pcp-netfilter module's namespace; a gateway must advertise it. */
    public static final String NETFILTER = "urn:pcpcontroller:yang:pcp-netfilter";
    /** The candidate capability (RFC 6241 section 8.3). */
    public static final String CANDIDATE = "urn:ietf:params:netconf:capability:candidate:1.0";

    private static final DocumentBuilderFactory FACTORY;

    static {
        FACTORY = DocumentBuilderFactory.newInstance();
        FACTORY.setNamespaceAware(true);
        try {
            // replies come from the network: no DTDs, no external entities
            FACTORY.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            FACTORY.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        } catch (ParserConfigurationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NetfilterXml() {
        // utility
    }

    private static Document newDocument() {
        try {
            return FACTORY.newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Element rpc(final Document doc, final long messageId) {
        final var rpc = doc.createElementNS(BASE, "rpc");
        rpc.setAttribute("message-id", Long.toString(messageId));
        doc.appendChild(rpc);
        return rpc;
    }

    private static Element child(final Element parent, final String namespace, final String name) {
        final var element = parent.getOwnerDocument().createElementNS(namespace, name);
        parent.appendChild(element);
        return element;
    }

    private static Element leaf(final Element parent, final String name, final String value) {
        final var element = child(parent, NETFILTER, name);
        element.setTextContent(value);
        return element;
    }

    /**
     * {@code <get-config>} of the whole pcp-netfilter subtree of a datastore.
     */
    public static Document getConfig(final long messageId, final String datastore) {
        final var doc = newDocument();
        final var get = child(rpc(doc, messageId), BASE, "get-config");
        child(child(get, BASE, "source"), BASE, datastore);
        final var filter = child(get, BASE, "filter");
        filter.setAttribute("type", "subtree");
        child(filter, NETFILTER, "netfilter");
        return doc;
    }

    /**
     * {@code <edit-config>} that replaces every rule in {@code put} and removes every rule named in {@code delete}
     * (remove, not delete: a rule already gone is no error). {@code error-option rollback-on-error}: a batch is
     * applied whole or not at all.
     */
    public static Document editConfig(final long messageId, final String target, final Collection<Rule> put,
            final Collection<String> delete) {
        return editConfig(messageId, target, null, put, delete);
    }

    /**
     * {@link #editConfig(long, String, Collection, Collection)} that also writes {@code /netfilter/owner}, the
     * identity of the writing controller, so that a second writer of the same gateway can be detected by reading it
     * back ({@link #parseOwner(Document)}). A null owner leaves the leaf as it is.
     */
    public static Document editConfig(final long messageId, final String target, final @Nullable String owner,
            final Collection<Rule> put, final Collection<String> delete) {
        final var doc = newDocument();
        final var edit = child(rpc(doc, messageId), BASE, "edit-config");
        child(child(edit, BASE, "target"), BASE, target);
        child(edit, BASE, "error-option").setTextContent("rollback-on-error");
        final var netfilter = child(child(edit, BASE, "config"), NETFILTER, "netfilter");
        if (owner != null) {
            leaf(netfilter, "owner", owner);
        }
        for (var rule : put) {
            final var element = child(netfilter, NETFILTER, "rule");
            element.setAttributeNS(BASE, "nc:operation", "replace");
            write(element, rule);
        }
        for (var name : delete) {
            final var element = child(netfilter, NETFILTER, "rule");
            element.setAttributeNS(BASE, "nc:operation", "remove");
            leaf(element, "name", name);
        }
        return doc;
    }

    /**
     * A cheap liveness probe: {@code <get-config>} of the table name only.
     */
    public static Document keepalive(final long messageId) {
        final var doc = newDocument();
        final var get = child(rpc(doc, messageId), BASE, "get-config");
        child(child(get, BASE, "source"), BASE, "running");
        final var filter = child(get, BASE, "filter");
        filter.setAttribute("type", "subtree");
        child(child(filter, NETFILTER, "netfilter"), NETFILTER, "table");
        return doc;
    }

    /** {@code <commit>} (candidate). */
    public static Document commit(final long messageId) {
        final var doc = newDocument();
        child(rpc(doc, messageId), BASE, "commit");
        return doc;
    }

    /** {@code <discard-changes>} (candidate): drops a failed batch. */
    public static Document discardChanges(final long messageId) {
        final var doc = newDocument();
        child(rpc(doc, messageId), BASE, "discard-changes");
        return doc;
    }

    private static void write(final Element element, final Rule rule) {
        leaf(element, "name", rule.requireName().getValue());
        leaf(element, "mapping", rule.requireMapping());
        leaf(element, "family", rule.requireFamily().getName());
        leaf(element, "hook", rule.requireHook().getName());
        final var match = rule.getMatch();
        if (match != null) {
            final var matchElement = child(element, NETFILTER, "match");
            if (match.getProtocol() != null) {
                leaf(matchElement, "protocol", match.getProtocol().getName());
            }
            if (match.getSourcePrefix() != null) {
                final var prefix = match.getSourcePrefix();
                leaf(matchElement, "source-prefix", prefix.getIpv4Prefix() != null
                    ? prefix.getIpv4Prefix().getValue() : prefix.getIpv6Prefix().getValue());
            }
            if (match.getSourcePort() != null) {
                leaf(matchElement, "source-port", match.getSourcePort().getValue().toString());
            }
            if (match.getDestinationAddress() != null) {
                leaf(matchElement, "destination-address", text(match.getDestinationAddress()));
            }
            if (match.getDestinationPort() != null) {
                leaf(matchElement, "destination-port", match.getDestinationPort().getValue().toString());
            }
        }
        switch (rule.getAction()) {
            case Dnat dnat -> {
                final var nat = child(element, NETFILTER, "dnat");
                leaf(nat, "to-address", text(dnat.getDnat().getToAddress()));
                if (dnat.getDnat().getToPort() != null) {
                    leaf(nat, "to-port", dnat.getDnat().getToPort().getValue().toString());
                }
            }
            case Snat snat -> {
                final var nat = child(element, NETFILTER, "snat");
                leaf(nat, "to-address", text(snat.getSnat().getToAddress()));
                if (snat.getSnat().getToPort() != null) {
                    leaf(nat, "to-port", snat.getSnat().getToPort().getValue().toString());
                }
            }
            case Accept accept -> child(element, NETFILTER, "accept");
            case SetDscp dscp -> leaf(element, "set-dscp", dscp.getSetDscp().getValue().toString());
            case null, default -> throw new IllegalArgumentException("rule " + rule.getName() + " has no action");
        }
        if (rule.getExpires() != null) {
            leaf(element, "expires", rule.getExpires().getValue());
        }
        if (rule.getComment() != null) {
            leaf(element, "comment", rule.getComment());
        }
    }

    private static String text(final IpAddress address) {
        // the canonical (compressed) text form, so that a reconcile compares like with like
        return InetAddresses.toAddrString(IetfInetUtil.inetAddressFor(address));
    }

    /**
     * The rules in a {@code <get-config>} reply ({@code <rpc-reply><data><netfilter>...}), by name. Rules the
     * controller cannot read back are returned under their name with a null value, so that a reconcile replaces
     * them.
     */
    public static Map<String, @Nullable Rule> parseRules(final Document reply) {
        final var rules = new TreeMap<String, @Nullable Rule>();
        final var nodes = reply.getElementsByTagNameNS(NETFILTER, "rule");
        for (int i = 0; i < nodes.getLength(); i++) {
            final var element = (Element) nodes.item(i);
            final var name = childText(element, "name");
            if (name == null) {
                continue;
            }
            Rule rule;
            try {
                rule = read(element, name);
            } catch (IllegalArgumentException e) {
                rule = null;
            }
            rules.put(name, rule);
        }
        return rules;
    }

    /**
     * The {@code /netfilter/owner} in a {@code <get-config>} reply, or null when the gateway has none.
     */
    public static @Nullable String parseOwner(final Document reply) {
        final var nodes = reply.getElementsByTagNameNS(NETFILTER, "netfilter");
        return nodes.getLength() == 0 ? null : childText((Element) nodes.item(0), "owner");
    }

    private static Rule read(final Element element, final String name) {
        final var builder = new RuleBuilder()
            .setName(new RuleName(name))
            .setMapping(childText(element, "mapping"))
            // ofName throws IllegalArgumentException for an unknown value: the rule is then unreadable
            .setFamily(Rule.Family.ofName(require(element, "family")))
            .setHook(Rule.Hook.ofName(require(element, "hook")))
            .setComment(childText(element, "comment"));
        final var expires = childText(element, "expires");
        if (expires != null) {
            // the pattern check of the generated type throws IllegalArgumentException: the rule is unreadable
            builder.setExpires(new DateAndTime(expires));
        }
        final var match = first(element, "match");
        if (match != null) {
            final var protocol = childText(match, "protocol");
            final var sourcePrefix = childText(match, "source-prefix");
            final var sourcePort = childText(match, "source-port");
            final var destination = childText(match, "destination-address");
            final var destinationPort = childText(match, "destination-port");
            builder.setMatch(new MatchBuilder()
                .setProtocol(protocol == null ? null : Transport.ofName(protocol))
                .setSourcePrefix(sourcePrefix == null ? null : IetfInetUtil.ipPrefixFor(sourcePrefix))
                .setSourcePort(sourcePort == null ? null : port(sourcePort))
                .setDestinationAddress(destination == null ? null : IetfInetUtil.ipAddressFor(destination))
                .setDestinationPort(destinationPort == null ? null : port(destinationPort))
                .build());
        }
        builder.setAction(action(element));
        return builder.build();
    }

    private static Action action(final Element element) {
        final var dnat = first(element, "dnat");
        if (dnat != null) {
            final var port = childText(dnat, "to-port");
            return new DnatBuilder().setDnat(new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter
                .rev261123.netfilter.rule.action.dnat.DnatBuilder()
                .setToAddress(IetfInetUtil.ipAddressFor(require(dnat, "to-address")))
                .setToPort(port == null ? null : port(port))
                .build()).build();
        }
        final var snat = first(element, "snat");
        if (snat != null) {
            final var port = childText(snat, "to-port");
            return new SnatBuilder().setSnat(new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter
                .rev261123.netfilter.rule.action.snat.SnatBuilder()
                .setToAddress(IetfInetUtil.ipAddressFor(require(snat, "to-address")))
                .setToPort(port == null ? null : port(port))
                .build()).build();
        }
        if (first(element, "accept") != null) {
            return new AcceptBuilder().setAccept(Empty.value()).build();
        }
        final var dscp = childText(element, "set-dscp");
        if (dscp != null) {
            return new SetDscpBuilder().setSetDscp(new Dscp(Uint8.valueOf(dscp))).build();
        }
        throw new IllegalArgumentException("no action");
    }

    private static PortNumber port(final String text) {
        return new PortNumber(Uint16.valueOf(text));
    }

    private static @Nullable Element first(final Element parent, final String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && NETFILTER.equals(element.getNamespaceURI())
                    && name.equals(element.getLocalName())) {
                return element;
            }
        }
        return null;
    }

    private static @Nullable String childText(final Element parent, final String name) {
        final var element = first(parent, name);
        return element == null ? null : element.getTextContent().strip();
    }

    private static String require(final Element parent, final String name) {
        final var value = childText(parent, name);
        if (value == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return value;
    }

    /**
     * The {@code <rpc-error>}s of a reply, as text; empty for {@code <ok/>} or data.
     */
    public static List<String> errors(final Document reply) {
        final var nodes = reply.getElementsByTagNameNS(BASE, "rpc-error");
        final var errors = new java.util.ArrayList<String>(nodes.getLength());
        for (int i = 0; i < nodes.getLength(); i++) {
            final var error = (Element) nodes.item(i);
            final var tag = error.getElementsByTagNameNS(BASE, "error-tag");
            final var message = error.getElementsByTagNameNS(BASE, "error-message");
            errors.add((tag.getLength() > 0 ? tag.item(0).getTextContent().strip() : "error")
                + (message.getLength() > 0 ? ": " + message.item(0).getTextContent().strip() : ""));
        }
        return errors;
    }
}
