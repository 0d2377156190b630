/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.dscp;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.Direction;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.MarkedFlows;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows.GatewayKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows.gateway.Flow;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows.gateway.FlowBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows.gateway.FlowKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.DatapathId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatus;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatusBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.RenderSummary;
import org.pcpcontroller.impl.gateway.StateWrites;
import org.pcpcontroller.impl.openflow.AuditGate;
import org.pcpcontroller.impl.openflow.AuditSchedule;
import org.pcpcontroller.impl.openflow.Cookies;
import org.pcpcontroller.impl.openflow.FlowAudit;
import org.pcpcontroller.impl.openflow.OpenFlowSwitches;
import org.pcpcontroller.impl.openflow.Refusal;
import org.pcpcontroller.impl.openflow.SwitchBinding;
import org.pcpcontroller.impl.openflow.SwitchConnection;
import org.pcpcontroller.impl.openflow.SwitchListener;
import org.pcpcontroller.impl.openflow.SwitchReply;
import org.pcpcontroller.impl.render.MappingRenderer;
import org.pcpcontroller.impl.render.RenderOutcome;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.MappingChanges;
import org.pcpcontroller.impl.store.MappingFeed;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenFlow DSCP renderer: every mapping with FLOW_PRIORITY (PEER, and MAP where the gateway's marking policy
 * says so) of a gateway whose {@code policy/dscp-renderer} is {@code openflow} becomes one flow per direction on each
 * switch bound to the gateway, setting {@code ip_dscp}. It follows the mapping feed (so whatever made a change is
 * rendered alike), the gateway views and the switches; each burst of FLOW_MODs is followed by a BARRIER, and a
 * mapping is {@code installed} (render status, the answer gate) only once every switch of its gateway acknowledged
 * exactly its flows. While a switch is bound its marking flows are audited (read back by flow statistics, missing
 * ones put back, strays deleted): at once when the switch reports one deleted behind our back, and periodically.
 * Work runs on one thread ({@link MarkingState} is its core); a change of its settings applies in
 * place.
 */
@Component(service = MappingRenderer.class, immediate = true, configurationPid = "org.pcpcontroller.render.dscp")
@Designate(ocd = DscpRenderer.Configuration.class)
public final class DscpRenderer implements MappingRenderer, SwitchListener, AutoCloseable {
    /**
     * Configuration of the renderer.
     */
    @ObjectClassDefinition(name = "PCP Controller OpenFlow DSCP renderer")
    public @interface Configuration {
        @AttributeDefinition(description = "FLOW_MODs sent to a switch before a BARRIER: a larger burst (a switch "
            + "reconnecting to a gateway with many marked flows) is split, so that what one acknowledgement covers, "
            + "and what a switch's errors for it can be, stays bounded")
        int batchSize() default 1000;

        @AttributeDefinition(description = "Seconds between two audits of every switch's marking flows (read back "
            + "by flow statistics, missing ones put back, stray ones deleted); 0 turns the periodic audit off. A "
            + "marking flow deleted on the switch is put back at once whatever this says, where the switch reports "
            + "the deletion (FLOW_REMOVED)")
        long auditInterval() default 60;
    }

    /** What {@link #renders} needs of a gateway, readable from any thread. */
    private record Choice(boolean on, boolean markMap, boolean hasSwitches) {
    }

    /**
     * Some messages for one mapping (or for none: stray flows), and what the switch holds for the mapping once it
     * applied them (null: nothing).
     */
    private record Item(@Nullable MappingKey key, List<OFMessage> messages, @Nullable List<MarkedFlow> flows) {
    }

    private record Waiter(Mapping mapping, SettableFuture<RenderOutcome> future) {
    }

    /** One marking flow as the audit wants it on a switch. */
    private record Wanted(MarkingState.Rendered entry, MarkedFlow flow, FlowAudit.FlowId id) {
    }

    /** A bound switch: its gateway and its one-audit-at-a-time gate. */
    private record Bound(String gateway, AuditGate audits) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DscpRenderer.class);
    private static final long MAX_HARD_TIMEOUT = 0xFFFF;
    private static final InetAddress ANY_V4 = com.google.common.net.InetAddresses.forString("0.0.0.0");
    private static final InetAddress ANY_V6 = com.google.common.net.InetAddresses.forString("::");

    private final DataBroker dataBroker;
    private final GatewayRegistry registry;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("pcp-render-dscp").setDaemon(true).build());
    private final ConcurrentHashMap<String, Choice> choices = new ConcurrentHashMap<>();
    // confined to the executor
    private final MarkingState<SwitchConnection> state = new MarkingState<>(SwitchConnection::describe);
    private final Map<MappingKey, List<Waiter>> waiters = new HashMap<>();
    private final Map<String, RenderSummary> published = new HashMap<>();
    private final Map<SwitchConnection, Bound> bound = new HashMap<>();
    private final List<Registration> registrations;
    private volatile int batchSize;
    // guarded by this
    private final AuditSchedule periodicAudits = new AuditSchedule(executor, this::auditAll);

    @Activate
    public DscpRenderer(@Reference final DataBroker dataBroker, @Reference final MappingFeed feed,
            @Reference final GatewayRegistry registry, @Reference final OpenFlowSwitches switches,
            final Configuration configuration) {
        this.dataBroker = requireNonNull(dataBroker);
        this.registry = requireNonNull(registry);
        batchSize = Math.max(2, configuration.batchSize());
        registrations = List.of(
            registry.subscribe(this::onViews),
            // only a mapping with FLOW_PRIORITY, before or after a change, can have marking flows
            feed.subscribe(MappingChanges.FLOW_PRIORITY, this::onMappings),
            switches.subscribe(this));
        periodicAudits.setInterval(configuration.auditInterval());
        LOG.info("OpenFlow DSCP renderer started");
    }

    /**
     * A configuration change, applied in place.
     */
    @Modified
    public void modified(final Configuration configuration) {
        batchSize = Math.max(2, configuration.batchSize());
        periodicAudits.setInterval(configuration.auditInterval());
    }

    /** The periodic audit's interval in force, in seconds; 0 when off. */
    long auditInterval() {
        return periodicAudits.interval();
    }

    /** Audits the marking flows of every bound switch. On the executor. */
    void auditAll() {
        List.copyOf(bound.keySet()).forEach(this::audit);
    }

    // --- the answer gate --------------------------------------------------------------------------------------

    @Override
    public Renderer kind() {
        return Renderer.OpenflowDscp;
    }

    @Override
    public boolean renders(final Mapping mapping) {
        final var choice = choices.get(mapping.key().gateway());
        return choice != null && choice.on() && choice.hasSwitches() && mapping.flowPriority() != null
            && (mapping.key() instanceof MappingKey.Peer || choice.markMap());
    }

    @Override
    public ListenableFuture<RenderOutcome> whenRendered(final Mapping mapping) {
        final var future = SettableFuture.<RenderOutcome>create();
        executor.execute(() -> {
            final var waiter = new Waiter(mapping, future);
            if (!settle(waiter)) {
                waiters.computeIfAbsent(mapping.key(), key -> new ArrayList<>()).add(waiter);
                // whoever waited gave up (the answer gate's timeout): forget the waiter
                future.addListener(() -> {
                    if (future.isCancelled()) {
                        executor.execute(() -> forget(waiter));
                    }
                }, MoreExecutors.directExecutor());
            }
        });
        return future;
    }

    /** Answers a waiter if its mapping's fate is known; on the executor. */
    private boolean settle(final Waiter waiter) {
        final var gateway = waiter.mapping.key().gateway();
        final RenderOutcome outcome = switch (state.outcomeOf(waiter.mapping)) {
            case MarkingState.Outcome.Installed installed -> RenderOutcome.INSTALLED;
            case MarkingState.Outcome.NotRendered none -> RenderOutcome.INSTALLED;
            case MarkingState.Outcome.Failed failed -> new RenderOutcome.Failed(failed.reason());
            // nothing would put the flows anywhere: say so now rather than at the gate's timeout
            case MarkingState.Outcome.Pending pending when state.switches(gateway).isEmpty() ->
                new RenderOutcome.Failed("no switch of gateway " + gateway + " is connected");
            case MarkingState.Outcome.Pending pending -> null;
        };
        if (outcome == null) {
            return false;
        }
        waiter.future.set(outcome);
        return true;
    }

    private void forget(final Waiter waiter) {
        final var list = waiters.get(waiter.mapping.key());
        if (list != null && list.remove(waiter) && list.isEmpty()) {
            waiters.remove(waiter.mapping.key());
        }
    }

    private void releaseWaiters(final Collection<MappingKey> keys) {
        for (var key : keys) {
            final var list = waiters.get(key);
            if (list != null) {
                list.removeIf(this::settle);
                if (list.isEmpty()) {
                    waiters.remove(key);
                }
            }
        }
    }

    // --- what changes -----------------------------------------------------------------------------------------

    // On the registry's thread.
    private void onViews(final List<GatewayRegistry.ViewChange> changes) {
        for (var change : changes) {
            final var id = change.gatewayId();
            final var after = change.after();
            final boolean on = after != null && after.policy().dscpRenderer() == GatewayView.DscpRenderer.OPENFLOW;
            if (after == null) {
                choices.remove(id);
            } else {
                choices.put(id, new Choice(on, after.marking().markMap(), !after.openflow().datapathIds().isEmpty()));
            }
            final var policy = after == null ? null : after.marking();
            executor.execute(() -> {
                push(id, state.configure(id, on, policy));
                if (!on) {
                    publishSummary(id, null);
                }
            });
        }
    }

    // On a notification thread.
    private void onMappings(final List<MappingChanges.Change> changes) {
        executor.execute(() -> {
            final var byGateway = new LinkedHashMap<String, List<MappingChanges.Change>>();
            changes.forEach(change -> byGateway.computeIfAbsent(change.key().gateway(), k -> new ArrayList<>())
                .add(change));
            byGateway.forEach((gateway, ofGateway) -> push(gateway, state.apply(gateway, ofGateway)));
        });
    }

    @Override
    public void bound(final SwitchConnection connection, final SwitchBinding binding) {
        executor.execute(() -> {
            state.bound(binding.gateway(), connection);
            bound.put(connection, new Bound(binding.gateway(), new AuditGate()));
            reconcile(connection, binding.gateway());
        });
    }

    @Override
    public void unbound(final SwitchConnection connection, final SwitchBinding previous) {
        executor.execute(() -> {
            state.unbound(previous.gateway(), connection);
            bound.remove(connection);
            if (connection.isConnected()) {
                // the switch serves another gateway, or none: the marking flows it has are not its any more
                connection.sendWithBarrier(List.of(deleteAllMarking(connection)));
            }
            final var keys = state.rendered(previous.gateway()).stream().map(rendered -> rendered.mapping().key())
                .toList();
            writeStatus(previous.gateway(), keys);
        });
    }

    /**
     * The switch dropped a marking flow by its hard timeout. The timeout is only a safety net: if the mapping still
     * lives (it was refreshed in between), the flow goes back.
     */
    @Override
    public void flowRemoved(final SwitchConnection connection, final OFFlowRemoved removed) {
        if (!removed.getCookie().applyMask(Cookies.KIND_MASK).equals(Cookies.DSCP)) {
            return;
        }
        if (removed.getReason() == OFFlowRemovedReason.DELETE) {
            executor.execute(() -> deleted(connection, removed));
            return;
        }
        if (removed.getReason() != OFFlowRemovedReason.HARD_TIMEOUT) {
            return;
        }
        executor.execute(() -> {
            final var binding = connection.binding();
            if (binding == null) {
                return;
            }
            final var gateway = binding.gateway();
            final var now = Instant.now();
            final var items = new ArrayList<Item>();
            for (var entry : state.rendered(gateway)) {
                final var expires = entry.mapping().expires();
                if ((expires == null || expires.isAfter(now.plusSeconds(1)))
                        && entry.flows().stream().anyMatch(flow -> flow.cookie().equals(removed.getCookie()))) {
                    items.add(addItem(connection, entry, state.policy(gateway)));
                }
            }
            send(gateway, connection, items);
        });
    }

    /**
     * The switch deleted a marking flow on a request. Ours (the mapping went, the policy changed) are no longer
     * wanted when the switch says so; a flow still wanted was deleted by someone else (an operator's del-flows):
     * audit the switch. On the executor.
     */
    private void deleted(final SwitchConnection connection, final OFFlowRemoved removed) {
        final var switchState = bound.get(connection);
        if (switchState == null) {
            return;
        }
        final var id = FlowAudit.FlowId.of(removed.getTableId(), removed.getPriority(), removed.getCookie(),
            removed.getMatch());
        if (wanted(connection, switchState.gateway()).stream().anyMatch(wanted -> wanted.id().equals(id))) {
            LOG.info("Switch {}: a marking flow was deleted behind our back; auditing the marking flows",
                connection.describe());
            audit(connection);
        }
    }

    // On the executor.
    private List<Wanted> wanted(final SwitchConnection connection, final String gateway) {
        final var policy = state.policy(gateway);
        final var factory = connection.factory();
        final var wanted = new ArrayList<Wanted>();
        for (var entry : state.rendered(gateway)) {
            for (var flow : entry.flows()) {
                wanted.add(new Wanted(entry, flow, FlowAudit.FlowId.of(TableId.of(policy.tableId()),
                    policy.priority(), flow.cookie(), MarkingFlows.match(factory, flow))));
            }
        }
        return wanted;
    }

    /**
     * Reads the switch's marking flows and makes them what the store says: missing ones put back, ones nothing
     * wants deleted (strictly, by cookie: another owner's flows stay). One audit at a time per switch; one asked
     * meanwhile runs after this one's repair was acknowledged. On the executor.
     */
    private void audit(final SwitchConnection connection) {
        final var switchState = bound.get(connection);
        if (switchState != null && switchState.audits().begin()) {
            runAudit(connection, switchState);
        }
    }

    // On the executor.
    private void runAudit(final SwitchConnection connection, final Bound switchState) {
        if (bound.get(connection) != switchState || !connection.isConnected()) {
            return;
        }
        Futures.addCallback(connection.request(FlowAudit.request(connection.factory(), Cookies.DSCP)),
            new FutureCallback<SwitchReply<List<OFFlowStatsReply>>>() {
                @Override
                public void onSuccess(final SwitchReply<List<OFFlowStatsReply>> reply) {
                    switch (reply) {
                        case SwitchReply.Unanswered<List<OFFlowStatsReply>> unanswered -> {
                            LOG.warn("Switch {}: cannot read its marking flows ({}); audit skipped",
                                connection.describe(), unanswered.reason());
                            auditEnded(connection, switchState);
                        }
                        case SwitchReply.Answered<List<OFFlowStatsReply>> answered -> repair(connection, switchState,
                            answered.value().stream().flatMap(part -> part.getEntries().stream()).toList());
                    }
                }

                @Override
                public void onFailure(final Throwable cause) {
                    LOG.error("Switch {}: reading its marking flows failed", connection.describe(), cause);
                    auditEnded(connection, switchState);
                }
            }, executor);
    }

    // On the executor.
    private void repair(final SwitchConnection connection, final Bound switchState,
            final List<OFFlowStatsEntry> present) {
        final var gateway = switchState.gateway();
        if (bound.get(connection) != switchState) {
            return;
        }
        // wanted as of now: a mapping that went while the switch answered is not put back
        final var diff = FlowAudit.diff(wanted(connection, gateway), Wanted::id, present, Cookies.DSCP);
        if (diff.isEmpty()) {
            LOG.debug("Switch {}: marking flows audited, nothing to repair", connection.describe());
            auditEnded(connection, switchState);
            return;
        }
        LOG.info("Switch {}: marking flow audit repairs {} missing and {} stray marking flows", connection.describe(),
            diff.missing().size(), diff.strays().size());
        final var items = new ArrayList<Item>();
        if (!diff.strays().isEmpty()) {
            items.add(new Item(null, diff.strays().stream().map(stray -> (OFMessage) FlowAudit.delete(
                connection.factory(), stray)).toList(), null));
        }
        final var policy = state.policy(gateway);
        final var byMapping = new LinkedHashMap<MappingKey, List<Wanted>>();
        diff.missing().forEach(wanted -> byMapping.computeIfAbsent(wanted.entry().mapping().key(),
            key -> new ArrayList<>()).add(wanted));
        for (var missing : byMapping.values()) {
            final var entry = missing.getFirst().entry();
            final int hardTimeout = hardTimeout(entry.mapping());
            // only the missing flows go out; once acknowledged the switch holds all of the mapping's flows again
            items.add(new Item(entry.mapping().key(), missing.stream()
                .map(wanted -> MarkingFlows.addMarking(connection.factory(), wanted.flow(), policy, hardTimeout))
                .toList(), entry.flows()));
        }
        send(gateway, connection, items).addListener(() -> auditEnded(connection, switchState), executor);
    }

    // On the executor.
    private void auditEnded(final SwitchConnection connection, final Bound switchState) {
        if (switchState.audits().end()) {
            runAudit(connection, switchState);
        }
    }

    // --- to the switches --------------------------------------------------------------------------------------

    /**
     * Puts a diff on every switch of the gateway, and reports what is known without waiting for them.
     */
    private void push(final String gateway, final MarkingState.Diff diff) {
        if (diff.isEmpty()) {
            return;
        }
        clearMarkedFlows(gateway, diff.removed());
        final var switches = state.switches(gateway);
        for (var connection : switches) {
            final var items = new ArrayList<Item>();
            for (var entry : diff.removed()) {
                final var messages = new ArrayList<OFMessage>(entry.flows().size());
                for (var flow : entry.flows()) {
                    messages.add(MarkingFlows.deleteMarking(connection.factory(), MarkingFlows.match(
                        connection.factory(), flow), diff.policy().tableId(), diff.policy().priority(),
                        flow.cookie()));
                }
                items.add(new Item(entry.mapping().key(), messages, null));
            }
            for (var entry : diff.added()) {
                items.add(addItem(connection, entry, state.policy(gateway)));
            }
            send(gateway, connection, items);
        }
        // what the switches will not change: no switch at all, mappings no longer rendered, refused by the policy
        final var now = switches.isEmpty() ? diff.touched() : diff.touched().stream()
            .filter(key -> !(state.outcome(gateway, key) instanceof MarkingState.Outcome.Pending)).toList();
        writeStatus(gateway, now);
    }

    private Item addItem(final SwitchConnection connection, final MarkingState.Rendered entry,
            final GatewayView.Marking policy) {
        final int hardTimeout = hardTimeout(entry.mapping());
        return new Item(entry.mapping().key(), entry.flows().stream()
            .map(flow -> MarkingFlows.addMarking(connection.factory(), flow, policy, hardTimeout)).toList(),
            entry.flows());
    }

    /**
     * Makes the switch's marking flows exactly what the store says: reads them, deletes those no mapping accounts
     * for, and installs every mapping's.
     */
    private void reconcile(final SwitchConnection connection, final String gateway) {
        final var factory = connection.factory();
        final var request = factory.buildFlowStatsRequest()
            .setTableId(TableId.ALL)
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setCookie(Cookies.DSCP)
            .setCookieMask(Cookies.KIND_MASK)
            .setMatch(factory.buildMatch().build())
            .build();
        Futures.addCallback(connection.request(request), new FutureCallback<SwitchReply<List<OFFlowStatsReply>>>() {
            @Override
            public void onSuccess(final SwitchReply<List<OFFlowStatsReply>> reply) {
                final List<OFFlowStatsEntry> present = switch (reply) {
                    case SwitchReply.Answered<List<OFFlowStatsReply>> answered -> answered.value().stream()
                        .flatMap(part -> part.getEntries().stream()).toList();
                    case SwitchReply.Unanswered<List<OFFlowStatsReply>> unanswered -> {
                        LOG.warn("Switch {}: cannot read its marking flows ({}); installing without removing strays",
                            connection.describe(), unanswered.reason());
                        yield List.of();
                    }
                };
                reconcile(connection, gateway, present);
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.error("Switch {}: reading its marking flows failed", connection.describe(), cause);
            }
        }, executor);
    }

    // On the executor.
    private void reconcile(final SwitchConnection connection, final String gateway,
            final List<OFFlowStatsEntry> present) {
        if (!state.switches(gateway).contains(connection)) {
            return;
        }
        final var rendered = state.rendered(gateway);
        final var wanted = new HashSet<U64>();
        rendered.forEach(entry -> entry.flows().forEach(flow -> wanted.add(flow.cookie())));
        final var items = new ArrayList<Item>();
        final var strays = new ArrayList<OFMessage>();
        for (var entry : present) {
            if (!wanted.contains(entry.getCookie())) {
                strays.add(MarkingFlows.deleteMarking(connection.factory(), entry.getMatch(),
                    entry.getTableId().getValue(), entry.getPriority(), entry.getCookie()));
            }
        }
        if (!strays.isEmpty()) {
            items.add(new Item(null, strays, null));
        }
        final var policy = state.policy(gateway);
        rendered.forEach(entry -> items.add(addItem(connection, entry, policy)));
        LOG.info("Switch {}: reconciling marking flows: {} mappings to install, {} stray flows to delete",
            connection.describe(), rendered.size(), strays.size());
        if (items.isEmpty()) {
            return;
        }
        send(gateway, connection, items);
    }

    /**
     * Sends items in bursts of at most {@code batchSize} messages (an item is never split), each followed by a
     * BARRIER, and records what the switch acknowledged.
     */
    private ListenableFuture<?> send(final String gateway, final SwitchConnection connection,
            final List<Item> items) {
        final int limit = batchSize;
        final var sent = new ArrayList<ListenableFuture<?>>();
        var batch = new ArrayList<Item>();
        int size = 0;
        for (var item : items) {
            if (size > 0 && size + item.messages().size() > limit) {
                sent.add(sendBatch(gateway, connection, batch));
                batch = new ArrayList<>();
                size = 0;
            }
            batch.add(item);
            size += item.messages().size();
        }
        if (!batch.isEmpty()) {
            sent.add(sendBatch(gateway, connection, batch));
        }
        // done once every burst was answered (or given up), whatever the switch said
        return Futures.whenAllComplete(sent).run(() -> { }, MoreExecutors.directExecutor());
    }

    private ListenableFuture<?> sendBatch(final String gateway, final SwitchConnection connection,
            final List<Item> batch) {
        final var messages = new ArrayList<OFMessage>();
        final int[] firstOf = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            firstOf[i] = messages.size();
            messages.addAll(batch.get(i).messages());
        }
        final var reply = connection.sendWithBarrier(messages);
        Futures.addCallback(reply, new FutureCallback<SwitchReply<List<Refusal>>>() {
            @Override
            public void onSuccess(final SwitchReply<List<Refusal>> answer) {
                acknowledged(gateway, connection, batch, firstOf, answer);
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.error("Switch {}: marking flows failed", connection.describe(), cause);
            }
        }, executor);
        return reply;
    }

    // On the executor.
    private void acknowledged(final String gateway, final SwitchConnection connection, final List<Item> batch,
            final int[] firstOf, final SwitchReply<List<Refusal>> reply) {
        final var keys = new ArrayList<MappingKey>();
        for (int i = 0; i < batch.size(); i++) {
            final var item = batch.get(i);
            final var key = item.key();
            final String refusal = switch (reply) {
                case SwitchReply.Unanswered<List<Refusal>> unanswered -> unanswered.reason();
                case SwitchReply.Answered<List<Refusal>> answered -> refusalOf(answered.value(), firstOf[i],
                    item.messages().size());
            };
            if (key == null) {
                if (refusal != null) {
                    LOG.warn("Switch {}: stray marking flows not deleted: {}", connection.describe(), refusal);
                }
                continue;
            }
            if (refusal == null) {
                state.acknowledged(connection, key, item.flows());
            } else if (item.flows() != null) {
                state.refused(gateway, connection, key, refusal);
            }
            keys.add(key);
        }
        writeStatus(gateway, keys);
    }

    private static @Nullable String refusalOf(final List<Refusal> refusals, final int first, final int count) {
        return refusals.stream().filter(refusal -> refusal.index() >= first && refusal.index() < first + count)
            .findFirst().map(refusal -> String.valueOf(refusal.error())).orElse(null);
    }

    private static OFMessage deleteAllMarking(final SwitchConnection connection) {
        return connection.factory().buildFlowDelete()
            .setTableId(TableId.ALL)
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setCookie(Cookies.DSCP)
            .setCookieMask(Cookies.KIND_MASK)
            .build();
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

    // --- to the datastore -------------------------------------------------------------------------------------

    /**
     * Writes where these mappings stand (render status, marked flows), answers whoever waits for them, and publishes
     * the gateway's summary. On the executor.
     */
    private void writeStatus(final String gateway, final Collection<MappingKey> keys) {
        if (keys.isEmpty()) {
            return;
        }
        final var now = BindingMappings.dateAndTime(Instant.now());
        final var tx = dataBroker.newWriteOnlyTransaction();
        for (var key : keys) {
            final var rendered = state.rendered(gateway, key);
            final var outcome = state.outcome(gateway, key);
            final RenderStatus.State status;
            final String detail;
            switch (outcome) {
                case MarkingState.Outcome.NotRendered none -> {
                    BindingMappings.deleteRenderStatus(tx, key);
                    continue;
                }
                case MarkingState.Outcome.Installed installed -> {
                    status = RenderStatus.State.Installed;
                    detail = "on " + String.join(", ", installed.switches());
                }
                case MarkingState.Outcome.Pending pending -> {
                    status = RenderStatus.State.Pending;
                    detail = pending.why();
                }
                case MarkingState.Outcome.Failed failed -> {
                    status = RenderStatus.State.Failed;
                    detail = failed.reason();
                }
            }
            final var mapping = state.mapping(gateway, key);
            if (mapping == null) {
                continue;
            }
            BindingMappings.mergeRenderStatus(tx, mapping, status(status, detail, now));
            if (outcome instanceof MarkingState.Outcome.Installed && rendered != null) {
                for (var flow : rendered.flows()) {
                    tx.mergeParentStructurePut(LogicalDatastoreType.OPERATIONAL, markedFlowPath(gateway, flow),
                        new FlowBuilder()
                            .withKey(flowKey(flow))
                            .setDscp(new Dscp(Uint8.valueOf(flow.dscp())))
                            .setCookie(Uint64.fromLongBits(flow.cookie().getValue()))
                            .setDatapathId(Set.copyOf(state.switches(gateway).stream()
                                .map(sw -> new DatapathId(sw.describe())).toList()))
                            .setInstalled(now)
                            .build());
                }
            }
        }
        StateWrites.logFailure(tx.commit(), LOG, "record the OpenFlow render status");
        releaseWaiters(keys);
        if (state.isOn(gateway)) {
            publishSummary(gateway, state.summary(gateway));
        }
    }

    private static RenderStatus status(final RenderStatus.State state, final String detail,
            final org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime
                now) {
        return new RenderStatusBuilder()
            .setRenderer(Renderer.OpenflowDscp)
            .setState(state)
            .setDetail(detail)
            .setUpdated(now)
            .build();
    }

    private void publishSummary(final String gateway, final @Nullable RenderSummary summary) {
        if (Objects.equals(published.get(gateway), summary) && (summary != null || published.containsKey(gateway))) {
            return;
        }
        if (summary == null) {
            if (!published.containsKey(gateway)) {
                return;
            }
            published.remove(gateway);
        } else {
            published.put(gateway, summary);
        }
        registry.publishRenderSummary(gateway, Renderer.OpenflowDscp, summary);
    }

    // On the executor.
    private void clearMarkedFlows(final String gateway, final List<MarkingState.Rendered> removed) {
        if (removed.isEmpty()) {
            return;
        }
        final var tx = dataBroker.newWriteOnlyTransaction();
        // a delete under a node that does not exist fails the transaction: make sure the gateway's is there
        final var gatewayKey = new GatewayKey(new GatewayId(gateway));
        tx.mergeParentStructureMerge(LogicalDatastoreType.OPERATIONAL, DataObjectIdentifier.builder(MarkedFlows.class)
            .child(org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows
                .Gateway.class, gatewayKey).build(), new GatewayBuilder().withKey(gatewayKey).build());
        for (var entry : removed) {
            for (var flow : entry.flows()) {
                tx.delete(LogicalDatastoreType.OPERATIONAL, markedFlowPath(gateway, flow));
            }
        }
        StateWrites.logFailure(tx.commit(), LOG, "record the marked flows");
    }

    private static DataObjectIdentifier<Flow> markedFlowPath(final String gateway, final MarkedFlow flow) {
        return DataObjectIdentifier.builder(MarkedFlows.class)
            .child(org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.marked.flows
                .Gateway.class, new GatewayKey(new GatewayId(gateway)))
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
    @Deactivate
    public void close() {
        registrations.forEach(Registration::close);
        executor.execute(() -> {
            waiters.values().forEach(list -> list.forEach(waiter -> waiter.future.set(new RenderOutcome.Failed(
                "the OpenFlow DSCP renderer stopped"))));
            waiters.clear();
        });
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("OpenFlow DSCP renderer stopped");
    }
}
