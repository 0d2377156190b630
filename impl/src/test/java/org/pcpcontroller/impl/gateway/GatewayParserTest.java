/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Host;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.gateway.continuation.GotoTableBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.gateway.continuation.NormalBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Lifetime;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.PermissionAction;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.ExternalPortRangeBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.Netconf;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.NetconfBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.OpenflowBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.Policy;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.PolicyBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.Render;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.RenderBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.UdpIngressBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.credentials.PasswordBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.credentials.PrivateKeyBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.host.key.policy.PinnedBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.host.key.policy.TrustOnFirstUseBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.transport.CallHomeBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.transport.DialOut;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.transport.DialOutBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.PermissionRuleBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.PermissionRuleKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.permission.rule.InternalPortsBuilder;
import org.opendaylight.yangtools.yang.common.Empty;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.opendaylight.yangtools.yang.model.api.ChoiceSchemaNode;
import org.opendaylight.yangtools.yang.model.api.DataNodeContainer;
import org.opendaylight.yangtools.yang.model.api.DataSchemaNode;
import org.opendaylight.yangtools.yang.model.api.LeafSchemaNode;
import org.opendaylight.yangtools.yang.model.api.stmt.DefaultEffectiveStatement;
import org.pcpcontroller.impl.TestModel;

/**
 * The one parser of a gateway's configuration: every default comes from the model, every section is parsed, and
 * what cannot be served is refused with every reason at once.
 */
class GatewayParserTest {
    private static Gateway minimal() {
        return new GatewayBuilder().setId(new GatewayId("gw")).build();
    }

    @Test
    void everyDefaultOfTheModelIsReadFromTheModel() {
        final var defaults = new ModelDefaults(TestModel.CONTEXT);
        new GatewayParser(defaults);
        final var stated = new HashSet<List<QName>>();
        collect(TestModel.CONTEXT.findDataTreeChild(Gateways.QNAME).orElseThrow(), List.of(Gateways.QNAME), stated);
        collect(TestModel.CONTEXT.findDataTreeChild(FlowPriority.QNAME).orElseThrow(), List.of(FlowPriority.QNAME),
            stated);
        // a default the parser does not read would silently not apply: every stated one is asked for, and only those
        assertFalse(stated.isEmpty());
        assertEquals(stated, defaults.asked());
    }

    // Configuration leaves with a default, and choices with a default case, below a node.
    private static void collect(final DataSchemaNode node, final List<QName> path, final Set<List<QName>> found) {
        if (node.effectiveConfig().orElse(Boolean.TRUE) == Boolean.FALSE) {
            return;
        }
        if (node instanceof LeafSchemaNode leaf) {
            if (leaf.asEffectiveStatement().findFirstEffectiveSubstatement(DefaultEffectiveStatement.class)
                    .isPresent()) {
                found.add(path);
            }
            return;
        }
        if (node instanceof ChoiceSchemaNode choice) {
            if (choice.getDefaultCase().isPresent()) {
                found.add(path);
            }
            final var parent = path.subList(0, path.size() - 1);
            for (var caseNode : choice.getCases()) {
                for (var child : caseNode.getChildNodes()) {
                    collect(child, append(parent, child.getQName()), found);
                }
            }
            return;
        }
        if (node instanceof DataNodeContainer container) {
            for (var child : container.getChildNodes()) {
                collect(child, append(path, child.getQName()), found);
            }
        }
    }

    private static List<QName> append(final List<QName> path, final QName name) {
        final var longer = new ArrayList<>(path);
        longer.add(name);
        return List.copyOf(longer);
    }

    @Test
    void anEmptyGatewayTakesTheModelsDefaults() throws Exception {
        final var view = TestModel.PARSER.parse(minimal(), null);
        // the values the YANG model states, as an operator reads them in docs/yang/pcp-gateway.tree's module
        assertTrue(view.enabled());
        assertEquals(new org.pcpcontroller.api.net.PortRange(1024, 65535), view.externalPorts());
        assertEquals(120, view.policy().minLifetime());
        assertEquals(86400, view.policy().maxLifetime());
        assertEquals(256, view.policy().perClientQuota());
        assertEquals(64, view.policy().ipv6ClientPrefixLength());
        assertEquals(16384, view.policy().maxMappings());
        assertEquals(1000, view.policy().requestRate());
        assertEquals(99, view.policy().flowPriorityOptionCode());
        assertEquals(GatewayView.DscpRenderer.OPENFLOW, view.policy().dscpRenderer());
        assertTrue(view.render().waitForAck());
        assertEquals(Duration.ofMillis(2000), view.render().responseTimeout());
        assertEquals(10_000, view.openflow().puntMeterRate());
        assertEquals(List.of(), view.udpListen());
        assertNull(view.netconf());
        assertEquals(TestModel.PARSER.defaultMarking(), view.marking());
        assertEquals(40000, view.marking().priority());
        assertEquals(OptionalInt.empty(), view.marking().gotoTable());
    }

    @Test
    void everySectionIsParsed() throws Exception {
        final var view = TestModel.PARSER.parse(new GatewayBuilder(minimal())
            .setUdpIngress(new UdpIngressBuilder().setListenAddress(Set.of(IetfInetUtil.ipAddressFor("127.0.0.1")))
                .build())
            .setOpenflow(new OpenflowBuilder().setDatapathId(Set.of(
                new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.DatapathId(
                    "00:00:00:00:00:00:00:01"))).setLanPort(Set.of(Uint32.valueOf(3))).build())
            .setRender(new RenderBuilder().setAnswerAfter(Render.AnswerAfter.DatastoreCommit)
                .setResponseTimeout(Uint32.valueOf(700)).build())
            .setNetconf(new NetconfBuilder().setTransport(dialOut())
                .setUsername("u").setCredentials(new PasswordBuilder().setPassword("secret").build()).build())
            .build(), new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow
                .priority.GatewayBuilder().setGatewayId(new GatewayId("gw")).setAllowedDscpUp(Set.of(
                    new org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp(
                        Uint8.valueOf(46)))).setTableId(Uint8.valueOf(2))
                .setContinuation(new GotoTableBuilder().setGotoTable(Uint8.valueOf(3)).build()).build());
        assertEquals(5351, view.udpListen().getFirst().getPort());
        assertEquals(List.of("00:00:00:00:00:00:00:01"), view.openflow().datapathIds());
        assertEquals(List.of(3L), view.openflow().lanPorts());
        assertFalse(view.render().waitForAck());
        assertEquals(Duration.ofMillis(700), view.render().responseTimeout());
        final var netconf = view.netconf();
        assertEquals(new GatewayView.Reach.DialOut("192.0.2.7", 830), netconf.reach());
        assertEquals(new GatewayView.Credentials.Password("secret"), netconf.credentials());
        // trust on first use by default, so no pinned key
        assertNull(netconf.pinnedHostKey());
        assertEquals(Duration.ofSeconds(30), netconf.keepalive());
        // nothing recorded yet, and the rules go when the gateway goes (the model's default)
        assertNull(netconf.trustedHostKey());
        assertFalse(netconf.keepRulesOnRemoval());
        assertTrue(view.marking().allows(46, 0));
        assertFalse(view.marking().allows(34, 0));
        assertEquals(OptionalInt.of(3), view.marking().gotoTable());
        // secrets never in a log line
        assertFalse(netconf.toString().contains("secret"));
    }

    /**
     * The configuration leaves that no other test sets to a value of its own (docs/model-leaves.md): each reaches
     * the view, where its stage reads it.
     */
    @Test
    void everyLeafReachesTheView() throws Exception {
        final var view = TestModel.PARSER.parse(new GatewayBuilder(minimal())
            .setDescription("home 42, Mrs Example")
            .setOpenflow(new OpenflowBuilder().setPuntMeterRate(Uint32.valueOf(500)).build())
            .setNetconf(new NetconfBuilder().setTransport(dialOut())
                .setUsername("u").setCredentials(new PasswordBuilder().setPassword("x").build())
                .setHostKeyPolicy(new TrustOnFirstUseBuilder().setTrustOnFirstUse(Empty.value()).build())
                .setKeepaliveInterval(Uint32.valueOf(5)).setReconcileInterval(Uint32.valueOf(60)).build())
            .setPolicy(new PolicyBuilder()
                .setShortErrorLifetime(Uint32.valueOf(7))
                .setDscpRenderer(Policy.DscpRenderer.Netfilter)
                .setPermissionRule(java.util.Map.of(new PermissionRuleKey(Uint32.ONE), new PermissionRuleBuilder()
                    .setSequence(Uint32.ONE).setAction(PermissionAction.Deny)
                    .setInternalPrefix(IetfInetUtil.ipPrefixFor("10.0.0.0/24"))
                    .setInternalPorts(new InternalPortsBuilder().setStart(port(22)).setEnd(port(23)).build())
                    .build()))
                .build())
            .build(), new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow
                .priority.GatewayBuilder().setGatewayId(new GatewayId("gw"))
                .setAllowedDscpDown(Set.of(new org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet
                    .types.rev130715.Dscp(Uint8.valueOf(10))))
                .setMarkMap(true)
                .setContinuation(new NormalBuilder().setNormal(Empty.value()).build()).build());
        assertEquals("gw (home 42, Mrs Example)", view.describe());
        assertEquals(500, view.openflow().puntMeterRate());
        assertNull(view.netconf().pinnedHostKey());
        assertEquals(Duration.ofSeconds(5), view.netconf().keepalive());
        assertEquals(Duration.ofSeconds(60), view.netconf().reconcileInterval());
        assertEquals(7, view.policy().shortErrorLifetime());
        assertEquals(GatewayView.DscpRenderer.NETFILTER, view.policy().dscpRenderer());
        final var internal = InetAddresses.forString("10.0.0.2");
        assertFalse(view.permits(5000, internal, 22));
        assertTrue(view.permits(5000, internal, 24));
        assertTrue(view.marking().allows(0, 10));
        assertFalse(view.marking().allows(0, 11));
        assertTrue(view.marking().markMap());
        assertEquals(OptionalInt.empty(), view.marking().gotoTable());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        final var invalid = assertThrows(InvalidGatewayException.class, () -> TestModel.PARSER.parse(
            new GatewayBuilder(minimal())
                .setExternalPortRange(new ExternalPortRangeBuilder().setStart(port(3000)).setEnd(port(2000)).build())
                .setPolicy(new PolicyBuilder().setMinLifetime(new Lifetime(Uint32.valueOf(600)))
                    .setMaxLifetime(new Lifetime(Uint32.valueOf(60))).build())
                .setNetconf(new NetconfBuilder().setTransport(dialOut())
                    .setUsername("u").setCredentials(new PrivateKeyBuilder().setPassphrase("p").build())
                    .build())
                .build(), null));
        assertEquals(3, invalid.problems().size(), invalid.problems().toString());
    }

    @Test
    void pinningWithoutAFingerprintIsRefusedNotTrustedOnFirstUse() {
        final var invalid = assertThrows(InvalidGatewayException.class, () -> TestModel.PARSER.parse(
            new GatewayBuilder(minimal())
                .setNetconf(new NetconfBuilder().setTransport(dialOut())
                    .setUsername("u").setCredentials(new PasswordBuilder().setPassword("x").build())
                    .setHostKeyPolicy(new PinnedBuilder().build()).build())
                .build(), null));
        assertTrue(invalid.getMessage().contains("host-key-sha256"), invalid.getMessage());
    }

    @Test
    void aKeyTrustedOnFirstUseIsReadBackAndRulesMayBeKept() throws InvalidGatewayException {
        final var key = "SHA256:" + "A".repeat(43);
        final var netconf = TestModel.PARSER.parse(new GatewayBuilder(minimal())
            .setNetconf(new NetconfBuilder().setTransport(dialOut())
                .setUsername("u").setCredentials(new PasswordBuilder().setPassword("x").build())
                .setHostKeyPolicy(new TrustOnFirstUseBuilder().setTrustedHostKeySha256(key).build())
                .setOnRemoval(Netconf.OnRemoval.KeepRules).build())
            .build(), null).netconf();
        assertEquals(key, netconf.trustedHostKey());
        // trusted on first use is not pinned: an operator deletes the recorded key to trust the next one
        assertNull(netconf.pinnedHostKey());
        assertTrue(netconf.keepRulesOnRemoval());
    }

    @Test
    void aGatewayThatCallsHomeIsIdentifiedByItsPinnedKey() throws InvalidGatewayException {
        final var key = "SHA256:" + "B".repeat(43);
        final var netconf = TestModel.PARSER.parse(new GatewayBuilder(minimal())
            .setNetconf(new NetconfBuilder().setTransport(new CallHomeBuilder().setCallHome(Empty.value()).build())
                .setUsername("u").setCredentials(new PasswordBuilder().setPassword("x").build())
                .setHostKeyPolicy(new PinnedBuilder().setHostKeySha256(key).build()).build())
            .build(), null).netconf();
        assertEquals(new GatewayView.Reach.CallHome(), netconf.reach());
        assertEquals(key, netconf.pinnedHostKey());
    }

    @Test
    void aGatewayThatCallsHomeMayUseARecordedKey() throws InvalidGatewayException {
        final var key = "SHA256:" + "C".repeat(43);
        final var netconf = TestModel.PARSER.parse(new GatewayBuilder(minimal())
            .setNetconf(new NetconfBuilder().setTransport(new CallHomeBuilder().setCallHome(Empty.value()).build())
                .setUsername("u").setCredentials(new PasswordBuilder().setPassword("x").build())
                .setHostKeyPolicy(new TrustOnFirstUseBuilder().setTrustedHostKeySha256(key).build()).build())
            .build(), null).netconf();
        assertEquals(new GatewayView.Reach.CallHome(), netconf.reach());
        assertEquals(key, netconf.trustedHostKey());
    }

    @Test
    void aGatewayThatCallsHomeWithoutAKeyIsRefused() {
        // trust on first use (the default) cannot tell one caller from another
        final var invalid = assertThrows(InvalidGatewayException.class, () -> TestModel.PARSER.parse(
            new GatewayBuilder(minimal())
                .setNetconf(new NetconfBuilder().setTransport(new CallHomeBuilder().setCallHome(Empty.value())
                    .build()).setUsername("u").setCredentials(new PasswordBuilder().setPassword("x").build()).build())
                .build(), null));
        assertTrue(invalid.getMessage().contains("call-home needs a pinned host-key-sha256"), invalid.getMessage());
    }

    @Test
    void aNetconfWithNeitherAddressNorCallHomeIsRefused() {
        final var invalid = assertThrows(InvalidGatewayException.class, () -> TestModel.PARSER.parse(
            new GatewayBuilder(minimal())
                .setNetconf(new NetconfBuilder().setTransport(new DialOutBuilder().setPort(new PortNumber(
                    Uint16.valueOf(2022))).build())
                    .setUsername("u").setCredentials(new PasswordBuilder().setPassword("x").build()).build())
                .build(), null));
        assertTrue(invalid.getMessage().contains("an address (dial-out) or call-home"), invalid.getMessage());
    }

    private static DialOut dialOut() {
        return new DialOutBuilder().setAddress(new Host(IetfInetUtil.ipAddressFor("192.0.2.7"))).build();
    }

    @Test
    void aMarkingThatGoesBackwardsIsRefused() {
        final var invalid = assertThrows(InvalidGatewayException.class, () -> TestModel.PARSER.parseMarking(
            new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority
                .GatewayBuilder().setGatewayId(new GatewayId("gw")).setTableId(Uint8.valueOf(5))
                .setContinuation(new GotoTableBuilder().setGotoTable(Uint8.valueOf(5)).build()).build()));
        assertTrue(invalid.getMessage().contains("goto-table 5"), invalid.getMessage());
    }

    /**
     * Under a code IANA gave another option, FLOW_PRIORITY would take that option's place for every client of the
     * gateway: under 1, 2, 3 or 128 the server could no longer read THIRD_PARTY, PREFER_FAILURE, FILTER or
     * DESCRIPTION, and under RFC 7652's or RFC 7225/7753/7843's codes it would read their data as DSCP values.
     */
    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 128, 129, 130, 131 })
    void aFlowPriorityOptionCodeThatIanaAssignedIsRefused(final int code) {
        final var invalid = assertThrows(InvalidGatewayException.class, () -> TestModel.PARSER.parse(
            new GatewayBuilder(minimal()).setPolicy(new PolicyBuilder().setFlowPriorityOptionCode(Uint8.valueOf(code))
                .build()).build(), null));
        assertTrue(invalid.getMessage().contains("flow-priority-option-code " + code + " is taken by"),
            invalid.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = { 4, 99, 127, 200, 255 })
    void aFreeFlowPriorityOptionCodeOrMiniupnpdsIsServed(final int code) throws Exception {
        assertEquals(code, TestModel.PARSER.parse(new GatewayBuilder(minimal()).setPolicy(new PolicyBuilder()
            .setFlowPriorityOptionCode(Uint8.valueOf(code)).build()).build(), null).policy().flowPriorityOptionCode());
    }

    private static PortNumber port(final int port) {
        return new PortNumber(Uint16.valueOf(port));
    }
}
