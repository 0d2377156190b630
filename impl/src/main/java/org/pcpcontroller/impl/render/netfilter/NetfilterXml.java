/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpPrefix;
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

    // The message-id is the transport's to give (NetconfTransport), which matches replies by it.
    private static Element rpc(final Document doc) {
        final var rpc = doc.createElementNS(BASE, "rpc");
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
     * What an edit does to {@code /netfilter/owner}: the identity of the controller entry that writes the gateway, so
     * that a second writer of the same gateway can be detected by reading it back ({@link #parseOwner(Document)}).
     */
    public sealed interface OwnerChange {
        /** Leaves the leaf as it is. */
        OwnerChange KEEP = new Keep();

        /** Leaves the leaf as it is. */
        record Keep() implements OwnerChange {
        }

        /** Writes the leaf. */
        record Write(String owner) implements OwnerChange {
            public Write {
                requireNonNull(owner);
            }
        }

        /** Removes the leaf: the controller gives the gateway up. */
        record Remove() implements OwnerChange {
        }
    }

    /**
     * One {@code <edit-config>}.
     *
     * @param target the datastore edited: candidate or running
     * @param owner what happens to {@code /netfilter/owner}
     * @param put rules to create or replace whole
     * @param lease rules the gateway holds that differ only in their lease end: only {@code expires} is written
     * @param remove names of rules to remove (remove, not delete: a rule already gone is no error)
     */
    public record Edit(String target, OwnerChange owner, Collection<Rule> put, Collection<Rule> lease,
            Collection<String> remove) {
        public Edit {
            requireNonNull(target);
            requireNonNull(owner);
            put = List.copyOf(put);
            lease = List.copyOf(lease);
            remove = List.copyOf(remove);
        }

        /**
         * Rules that replace and rules that go, nothing else.
         */
        public static Edit of(final String target, final Collection<Rule> put, final Collection<String> remove) {
            return new Edit(target, OwnerChange.KEEP, put, List.of(), remove);
        }

        /** The rules this edit names. */
        public int size() {
            return put.size() + lease.size() + remove.size();
        }
    }

    /**
     * One {@code <rpc-error>} of a reply (RFC 6241 section 4.3).
     *
     * @param tag the error-tag, e.g. {@code lock-denied}; "error" when the server gave none
     * @param message the error-message, if any
     */
    public record RpcError(String tag, @Nullable String message) {
        public RpcError {
            requireNonNull(tag);
        }

        @Override
        public String toString() {
            return message == null ? tag : tag + ": " + message;
        }
    }

    /**
     * {@code <get-config>} of the whole pcp-netfilter subtree of a datastore.
     */
    public static Document getConfig(final String datastore) {
        final var doc = newDocument();
        final var get = child(rpc(doc), BASE, "get-config");
        child(child(get, BASE, "source"), BASE, datastore);
        final var filter = child(get, BASE, "filter");
        filter.setAttribute("type", "subtree");
        child(filter, NETFILTER, "netfilter");
        return doc;
    }

    /**
     * The {@code <edit-config>} of an {@link Edit}. {@code error-option rollback-on-error}: an edit is applied whole or
     * not at all. A lease is written as a merge of the rule's name and {@code expires} only: a refresh is a few bytes
     * on the wire, and the gateway's agent renews the lease without touching the rest.
     */
    public static Document editConfig(final Edit edit) {
        final var doc = newDocument();
        final var element = child(rpc(doc), BASE, "edit-config");
        child(child(element, BASE, "target"), BASE, edit.target());
        child(element, BASE, "error-option").setTextContent("rollback-on-error");
        final var netfilter = child(child(element, BASE, "config"), NETFILTER, "netfilter");
        switch (edit.owner()) {
            case OwnerChange.Keep keep -> {
                // nothing
            }
            case OwnerChange.Write write -> leaf(netfilter, "owner", write.owner());
            case OwnerChange.Remove remove -> child(netfilter, NETFILTER, "owner")
                .setAttributeNS(BASE, "nc:operation", "remove");
        }
        for (var rule : edit.put()) {
            final var ruleElement = child(netfilter, NETFILTER, "rule");
            ruleElement.setAttributeNS(BASE, "nc:operation", "replace");
            write(ruleElement, rule);
        }
        for (var rule : edit.lease()) {
            final var ruleElement = child(netfilter, NETFILTER, "rule");
            leaf(ruleElement, "name", rule.requireName().getValue());
            leaf(ruleElement, "expires", rule.requireExpires().getValue());
        }
        for (var name : edit.remove()) {
            final var ruleElement = child(netfilter, NETFILTER, "rule");
            ruleElement.setAttributeNS(BASE, "nc:operation", "remove");
            leaf(ruleElement, "name", name);
        }
        return doc;
    }

    /**
     * A cheap liveness probe: {@code <get-config>} of the table name only.
     */
    public static Document keepalive() {
        final var doc = newDocument();
        final var get = child(rpc(doc), BASE, "get-config");
        child(child(get, BASE, "source"), BASE, "running");
        final var filter = child(get, BASE, "filter");
        filter.setAttribute("type", "subtree");
        child(child(filter, NETFILTER, "netfilter"), NETFILTER, "table");
        return doc;
    }

    /** {@code <commit>} (candidate). */
    public static Document commit() {
        final var doc = newDocument();
        child(rpc(doc), BASE, "commit");
        return doc;
    }

    /** {@code <discard-changes>} (candidate): drops a failed edit. Only sent while holding the candidate's lock. */
    public static Document discardChanges() {
        final var doc = newDocument();
        child(rpc(doc), BASE, "discard-changes");
        return doc;
    }

    /** {@code <lock>} of a datastore (RFC 6241 section 7.5). */
    public static Document lock(final String target) {
        final var doc = newDocument();
        child(child(child(rpc(doc), BASE, "lock"), BASE, "target"), BASE, target);
        return doc;
    }

    /** {@code <unlock>} of a datastore (RFC 6241 section 7.6). */
    public static Document unlock(final String target) {
        final var doc = newDocument();
        child(child(child(rpc(doc), BASE, "unlock"), BASE, "target"), BASE, target);
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
            // mandatory in the model: a rule without it is not one the controller wrote
            .setMapping(require(element, "mapping"))
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
                .setSourcePrefix(sourcePrefix == null ? null : prefix(sourcePrefix))
                .setSourcePort(sourcePort == null ? null : port(sourcePort))
                .setDestinationAddress(destination == null ? null : address(destination))
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
                .setToAddress(address(require(dnat, "to-address")))
                .setToPort(port == null ? null : port(port))
                .build()).build();
        }
        final var snat = first(element, "snat");
        if (snat != null) {
            final var port = childText(snat, "to-port");
            return new SnatBuilder().setSnat(new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter
                .rev261123.netfilter.rule.action.snat.SnatBuilder()
                .setToAddress(address(require(snat, "to-address")))
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

    /**
     * An address as read from the gateway, in the canonical text the controller writes (RFC 5952 for IPv6), so that a
     * rule reads back equal to the rule written whatever spelling the server chose. Text that names an address of
     * the other family (an IPv4-mapped IPv6 address such as {@code ::ffff:10.0.0.2}, which Java reads as IPv4), a
     * zone, or an IPv4 address with leading zeros are not what the controller writes: the rule is unreadable, and a
     * reconcile replaces it.
     */
    private static IpAddress address(final String text) {
        return IetfInetUtil.ipAddressFor(inet(text));
    }

    private static InetAddress inet(final String text) {
        // forString refuses leading zeros and anything that is not an address literal (IllegalArgumentException)
        final var address = InetAddresses.forString(withoutLeadingZeros(text));
        if (text.indexOf('%') >= 0 || address instanceof Inet4Address == text.indexOf(':') >= 0) {
            throw new IllegalArgumentException("address " + text + " is not in a form the controller writes");
        }
        return address;
    }

    /**
     * The dotted quad that ends an IPv6 address with the leading zeros of its octets dropped. RFC 6991's ipv6-address
     * (and ipv6-prefix) pattern allows them there ({@code [01]?[0-9]?[0-9]}: decimal, at most three digits), so a
     * server may answer {@code ::fffd:00.0.0.2} for {@code ::fffd:0:2} (NETCONF-2, found by the fuzz run); its
     * ipv4-address pattern does not, so a plain IPv4 address with leading zeros stays refused.
     */
    private static String withoutLeadingZeros(final String text) {
        final int colon = text.lastIndexOf(':');
        if (colon < 0 || text.indexOf('.', colon) < 0) {
            return text;
        }
        final var octets = text.substring(colon + 1).split("\\.", -1);
        final var quad = new StringJoiner(".");
        for (var octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(c -> c >= '0' && c <= '9')) {
                // not decimal octets: forString refuses the text as it is
                return text;
            }
            quad.add(Integer.toString(Integer.parseInt(octet)));
        }
        return text.substring(0, colon + 1) + quad;
    }

    /** A prefix in canonical text; host bits set make it unreadable (the gateway's agent refuses them too). */
    private static IpPrefix prefix(final String text) {
        final int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("prefix " + text + " has no length");
        }
        final var bytes = inet(text.substring(0, slash)).getAddress();
        final int length = Integer.parseInt(text.substring(slash + 1));
        if (length < 0 || length > bytes.length * 8 || text.charAt(slash + 1) == '+'
                || text.length() > slash + 2 && text.charAt(slash + 1) == '0') {
            throw new IllegalArgumentException("prefix " + text + " has a bad length");
        }
        for (int i = 0; i < bytes.length; i++) {
            final int keep = Math.clamp(length - i * 8L, 0, 8);
            if ((bytes[i] & ~(0xff00 >>> keep) & 0xff) != 0) {
                throw new IllegalArgumentException("prefix " + text + " has host bits set");
            }
        }
        return IetfInetUtil.ipPrefixFor(bytes, length);
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
     * The {@code <rpc-error>}s of a reply; empty for {@code <ok/>} or data.
     */
    public static List<RpcError> rpcErrors(final Document reply) {
        final var nodes = reply.getElementsByTagNameNS(BASE, "rpc-error");
        final var errors = new ArrayList<RpcError>(nodes.getLength());
        for (int i = 0; i < nodes.getLength(); i++) {
            final var error = (Element) nodes.item(i);
            final var tag = error.getElementsByTagNameNS(BASE, "error-tag");
            final var message = error.getElementsByTagNameNS(BASE, "error-message");
            errors.add(new RpcError(tag.getLength() > 0 ? tag.item(0).getTextContent().strip() : "error",
                message.getLength() > 0 ? message.item(0).getTextContent().strip() : null));
        }
        return errors;
    }

    /**
     * The {@code <rpc-error>}s of a reply, as text; empty for {@code <ok/>} or data.
     */
    public static List<String> errors(final Document reply) {
        return rpcErrors(reply).stream().map(RpcError::toString).toList();
    }
}
