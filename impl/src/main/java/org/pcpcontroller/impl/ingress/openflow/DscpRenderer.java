/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.WriteTransaction;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.Direction;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.MarkedFlows;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows.gateway.Flow;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows.gateway.FlowBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows.gateway.FlowKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatus;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatusBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.MappingChanges;
import org.pcpcontroller.impl.store.MappingFeed;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.U64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenFlow DSCP renderer: every mapping with FLOW_PRIORITY (PEER, and MAP where the gateway's policy says so)
 * becomes one flow per direction on each switch of its gateway, setting {@code ip_dscp}. It follows the mapping
 * store through data tree change listeners, so every change is rendered whatever made it (a client, an operator,
 * expiry). Work runs on one thread; each batch of changes becomes one message burst and one BARRIER per switch,
 * and a mapping's render status says {@code installed} only after every switch acknowledged it.
 */
final class DscpRenderer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DscpRenderer.class);
    private static final long MAX_HARD_TIMEOUT = 0xFFFF;
    /** The marking of a gateway not served (yet): renders nothing. */
    private static final GatewayView.Marking UNKNOWN = new GatewayView.Marking(Set.of(), Set.of(), false, false, 0, 0,
        java.util.OptionalInt.empty());
    private static final InetAddress ANY_V4 = com.google.common.net.InetAddresses.forString("0.0.0.0");
    private static final InetAddress ANY_V6 = com.google.common.net.InetAddresses.forString("::");

    /** One mapping as rendered: its flows and when it expires. */
    private record Rendered(Mapping mapping, List<MarkedFlow> flows) {
    }

    private final DataBroker dataBroker;
    private final Function<String, List<? extends MarkingSwitch>> switches;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(new ThreadFactoryBuilder()
        .setNameFormat("pcp-openflow-dscp").setDaemon(true).build());
    // All state below is confined to the executor.
    private final Map<String, Boolean> enabled = new HashMap<>();
    private final Map<String, GatewayView.Marking> policies = new HashMap<>();
    /** Every mapping with FLOW_PRIORITY, rendered or not (policy or renderer choice may change). */
    private final Map<String, Map<MappingKey, Mapping>> withPriority = new HashMap<>();
    /** What is on the switches, per gateway. */
    private final Map<String, Map<MappingKey, Rendered>> rendered = new HashMap<>();
    private final List<Registration> registrations;

    DscpRenderer(final DataBroker dataBroker, final MappingFeed feed,
            final Function<String, List<? extends MarkingSwitch>> switches) {
        this.dataBroker = requireNonNull(dataBroker);
        this.switches = requireNonNull(switches);
        // only a mapping with FLOW_PRIORITY, before or after a change, can have marking flows
        registrations = List.of(feed.subscribe(MappingChanges.FLOW_PRIORITY, this::onMappings));
    }

    /**
     * A gateway's view changed: its choice of DSCP renderer or its marking policy (or the gateway went away).
     */
    void gatewayChanged(final String gateway, final @Nullable GatewayView view) {
        final boolean openflow = view != null && view.policy().dscpRenderer() == GatewayView.DscpRenderer.OPENFLOW;
        final var policy = view == null ? null : view.marking();
        executor.execute(() -> {
            final var previousPolicy = policy(gateway);
            final var previous = enabled.put(gateway, openflow);
            if (policy != null && !policy.equals(previousPolicy)) {
                policies.put(gateway, policy);
                rerender(gateway, previousPolicy);
            } else if (previous == null || previous != openflow) {
                rerender(gateway, previousPolicy);
            }
            if (view == null) {
                policies.remove(gateway);
                enabled.remove(gateway);
            }
        });
    }

    /**
     * A switch now serves its gateway: make its marking flows exactly what the store says.
     */
    void switchReady(final MarkingSwitch session) {
        final var binding = session.binding();
        if (binding == null) {
            return;
        }
        session.flows(Flows.DSCP, Flows.KIND_MASK).whenCompleteAsync((entries, cause) -> {
            if (cause != null) {
                LOG.warn("Switch {}: cannot read its marking flows", session.describe(), cause);
                return;
            }
            final var factory = session.factory();
            if (factory == null) {
                return;
            }
            final var gatewayFlows = rendered.getOrDefault(binding.gateway(), Map.of());
            final var wanted = new HashSet<U64>();
            gatewayFlows.values().forEach(entry -> entry.flows.forEach(flow -> wanted.add(flow.cookie())));
            final var messages = new ArrayList<OFMessage>();
            int stale = 0;
            for (var entry : entries) {
                if (!wanted.contains(entry.getCookie())) {
                    messages.add(Flows.deleteMarking(factory, entry.getMatch(), entry.getTableId().getValue(),
                        entry.getPriority(), entry.getCookie()));
                    stale++;
                }
            }
            final var policy = policy(binding.gateway());
            gatewayFlows.values().forEach(entry -> entry.flows.forEach(flow -> messages.add(Flows.addMarking(factory,
                flow, policy, hardTimeout(entry.mapping)))));
            LOG.info("Switch {}: reconciling marking flows: {} to install, {} stale to delete", session.describe(),
                messages.size() - stale, stale);
            track(binding.gateway(), List.copyOf(gatewayFlows.keySet()), List.of(session.sendWithBarrier(messages)),
                List.of(session.describe()));
        }, executor);
    }

    /**
     * The switch dropped a marking flow by its hard timeout. The timeout is only a safety net: if the mapping still
     * lives (it was refreshed in between), the flow goes back.
     */
    void flowRemoved(final MarkingSwitch session, final OFFlowRemoved removed) {
        if (!removed.getCookie().applyMask(Flows.KIND_MASK).equals(Flows.DSCP)
                || removed.getReason() != OFFlowRemovedReason.HARD_TIMEOUT) {
            return;
        }
        executor.execute(() -> {
            final var binding = session.binding();
            final var factory = session.factory();
            if (binding == null || factory == null) {
                return;
            }
            final var now = Instant.now();
            final var messages = new ArrayList<OFMessage>();
            rendered.getOrDefault(binding.gateway(), Map.of()).values().forEach(entry -> {
                final var expires = entry.mapping.expires();
                if ((expires == null || expires.isAfter(now.plusSeconds(1)))
                        && entry.flows.stream().anyMatch(flow -> flow.cookie().equals(removed.getCookie()))) {
                    entry.flows.forEach(flow -> messages.add(Flows.addMarking(factory, flow,
                        policy(binding.gateway()), hardTimeout(entry.mapping))));
                }
            });
            if (!messages.isEmpty()) {
                session.send(messages);
            }
        });
    }

    private void onMappings(final List<MappingChanges.Change> changes) {
        executor.execute(() -> {
            final var byGateway = new LinkedHashMap<String, List<MappingChanges.Change>>();
            changes.forEach(change -> byGateway.computeIfAbsent(change.key().gateway(), k -> new ArrayList<>())
                .add(change));
            byGateway.forEach(this::apply);
        });
    }

    // On the executor.
    private void apply(final String gateway, final List<MappingChanges.Change> changes) {
        final var gatewayFlows = rendered.computeIfAbsent(gateway, k -> new HashMap<>());
        final var known = withPriority.computeIfAbsent(gateway, k -> new HashMap<>());
        final var policy = policy(gateway);
        final boolean on = enabled.getOrDefault(gateway, false);
        final var removed = new ArrayList<Rendered>();
        final var added = new ArrayList<Rendered>();
        final var cleared = new ArrayList<MappingKey>();
        for (var change : changes) {
            final var mapping = change.after();
            if (mapping != null && mapping.flowPriority() != null) {
                known.put(change.key(), mapping);
            } else {
                known.remove(change.key());
            }
            final var flows = mapping == null || !on ? List.<MarkedFlow>of() : MarkedFlow.of(mapping, policy);
            final var old = flows.isEmpty() ? gatewayFlows.remove(change.key())
                : gatewayFlows.put(change.key(), new Rendered(mapping, flows));
            if (old != null && !old.flows.equals(flows)) {
                removed.add(old);
            }
            if (!flows.isEmpty()) {
                added.add(new Rendered(mapping, flows));
            } else if (old != null) {
                cleared.add(change.key());
            }
        }
        if (removed.isEmpty() && added.isEmpty()) {
            return;
        }
        push(gateway, policy, removed, added);
        clearStatus(gateway, removed, cleared);
    }

    private void push(final String gateway, final GatewayView.Marking policy, final List<Rendered> removed,
            final List<Rendered> added) {
        final var sessions = switches.apply(gateway);
        final var keys = added.stream().map(entry -> entry.mapping.key()).toList();
        final var acks = new ArrayList<CompletableFuture<List<OFErrorMsg>>>();
        final var names = new ArrayList<String>();
        for (var session : sessions) {
            final var factory = session.factory();
            if (factory == null) {
                continue;
            }
            final var messages = new ArrayList<OFMessage>();
            for (var entry : removed) {
                for (var flow : entry.flows) {
                    messages.add(Flows.deleteMarking(factory, Flows.match(factory, flow), policy.tableId(),
                        policy.priority(), flow.cookie()));
                }
            }
            for (var entry : added) {
                for (var flow : entry.flows) {
                    messages.add(Flows.addMarking(factory, flow, policy, hardTimeout(entry.mapping)));
                }
            }
            acks.add(session.sendWithBarrier(messages));
            names.add(session.describe());
        }
        if (!keys.isEmpty()) {
            track(gateway, keys, acks, names);
        }
    }

    /**
     * Re-renders every mapping of a gateway after its policy or renderer choice changed: the old flows go (they
     * may sit at another priority or table), the new ones come.
     */
    private void rerender(final String gateway, final GatewayView.Marking previousPolicy) {
        final var gatewayFlows = rendered.computeIfAbsent(gateway, k -> new HashMap<>());
        final var old = List.copyOf(gatewayFlows.values());
        final var changes = withPriority.getOrDefault(gateway, Map.of()).values().stream()
            .map(mapping -> new MappingChanges.Change(mapping.key(), mapping))
            .toList();
        // delete with the policy the flows were installed under, then apply afresh
        gatewayFlows.clear();
        push(gateway, previousPolicy, old, List.of());
        clearStatus(gateway, old, old.stream().map(entry -> entry.mapping.key()).toList());
        apply(gateway, changes);
    }

    private GatewayView.Marking policy(final String gateway) {
        // a gateway without a view has nothing rendered, so nothing is ever deleted under this
        return policies.getOrDefault(gateway, UNKNOWN);
    }

    private static int hardTimeout(final Mapping mapping) {
        final var expires = mapping.expires();
        if (expires == null) {
            return 0;
        }
        // rounded up, so that the flow never outlives the mapping by more than a second and never ends before it
        final long seconds = Math.ceilDiv(Duration.between(Instant.now(), expires).toMillis(), 1000);
        return (int) Math.max(1, Math.min(MAX_HARD_TIMEOUT, seconds));
    }

    /**
     * Reports the outcome in the operational datastore once every switch answered: the render status of each
     * mapping, and the marked flows of the gateway.
     */
    private void track(final String gateway, final List<MappingKey> keys,
            final List<CompletableFuture<List<OFErrorMsg>>> acks, final List<String> names) {
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).handleAsync((ignored, cause) -> {
            final var failures = new ArrayList<String>();
            for (int i = 0; i < acks.size(); i++) {
                final var ack = acks.get(i);
                if (ack.isCompletedExceptionally()) {
                    failures.add(names.get(i) + ": disconnected");
                } else {
                    final var errors = ack.join();
                    if (!errors.isEmpty()) {
                        failures.add(names.get(i) + ": " + errors.getFirst());
                    }
                }
            }
            writeStatus(gateway, keys, acks.isEmpty(), failures, names);
            return null;
        }, executor);
    }

    // On the executor.
    private void writeStatus(final String gateway, final List<MappingKey> keys, final boolean noSwitch,
            final List<String> failures, final List<String> datapaths) {
        final var gatewayFlows = rendered.getOrDefault(gateway, Map.of());
        final var now = BindingMappings.dateAndTime(Instant.now());
        final var state = noSwitch ? RenderStatus.State.Pending
            : failures.isEmpty() ? RenderStatus.State.Installed : RenderStatus.State.Failed;
        final var detail = noSwitch ? "no switch of gateway " + gateway + " is connected"
            : failures.isEmpty() ? "on " + String.join(", ", datapaths) : String.join("; ", failures);
        final var tx = dataBroker.newWriteOnlyTransaction();
        for (var key : keys) {
            final var entry = gatewayFlows.get(key);
            if (entry == null) {
                // deleted while the switches were busy: nothing to report on
                continue;
            }
            BindingMappings.mergeRenderStatus(tx, entry.mapping, new RenderStatusBuilder()
                .setRenderer(Renderer.OpenflowDscp)
                .setState(state)
                .setDetail(detail)
                .setUpdated(now)
                .build());
            if (state == RenderStatus.State.Installed) {
                for (var flow : entry.flows) {
                    tx.mergeParentStructurePut(LogicalDatastoreType.OPERATIONAL, markedFlowPath(gateway, flow),
                        new FlowBuilder()
                        .withKey(flowKey(flow))
                        .setDscp(new Dscp(Uint8.valueOf(flow.dscp())))
                        .setCookie(Uint64.fromLongBits(flow.cookie().getValue()))
                        .setDatapathId(Set.copyOf(datapaths.stream().map(
                            org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.DatapathId::new)
                            .toList()))
                        .setInstalled(now)
                        .build());
                }
            }
        }
        commit(tx, "the OpenFlow render status");
    }

    // On the executor.
    private void clearStatus(final String gateway, final List<Rendered> removed, final List<MappingKey> cleared) {
        if (removed.isEmpty() && cleared.isEmpty()) {
            return;
        }
        final var tx = dataBroker.newWriteOnlyTransaction();
        if (!removed.isEmpty()) {
            // a delete under a node that does not exist fails the transaction: make sure the gateway's is there
            final var gatewayKey = new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123
                .marked.flows.GatewayKey(new GatewayId(gateway));
            tx.mergeParentStructureMerge(LogicalDatastoreType.OPERATIONAL,
                DataObjectIdentifier.builder(MarkedFlows.class)
                    .child(org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked
                        .flows.Gateway.class, gatewayKey).build(),
                new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows
                    .GatewayBuilder().withKey(gatewayKey).build());
        }
        for (var entry : removed) {
            for (var flow : entry.flows) {
                tx.delete(LogicalDatastoreType.OPERATIONAL, markedFlowPath(gateway, flow));
            }
        }
        for (var key : cleared) {
            BindingMappings.deleteRenderStatus(tx, key);
        }
        commit(tx, "the OpenFlow render status");
    }

    /**
     * Commits an operational write whose failure is only worth a log line: the state is re-published.
     */
    static void commit(final WriteTransaction tx, final String what) {
        tx.commit().addCallback(new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                // nothing to do
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("Cannot record {}", what, cause);
            }
        }, MoreExecutors.directExecutor());
    }

    private static DataObjectIdentifier<Flow> markedFlowPath(final String gateway, final MarkedFlow flow) {
        return DataObjectIdentifier.builder(MarkedFlows.class)
            .child(org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows
                .Gateway.class, new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123
                .marked.flows.GatewayKey(new GatewayId(gateway)))
            .child(Flow.class, flowKey(flow))
            .build();
    }

    private static FlowKey flowKey(final MarkedFlow flow) {
        // a missing address is "any", shown as the unspecified address of the family
        final var any = flow.ipv4() ? ANY_V4 : ANY_V6;
        final var source = flow.source();
        final var destination = flow.destination();
        return new FlowKey(BindingMappings.address(destination != null ? destination : any),
            BindingMappings.port(flow.destinationPort()),
            flow.upstream() ? Direction.Upstream : Direction.Downstream,
            BindingMappings.protocol(flow.protocol()),
            BindingMappings.address(source != null ? source : any),
            BindingMappings.port(flow.sourcePort()));
    }

    @Override
    public void close() {
        registrations.forEach(Registration::close);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
