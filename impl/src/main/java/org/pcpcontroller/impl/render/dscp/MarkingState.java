/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.dscp;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.RenderSummary;
import org.pcpcontroller.impl.store.MappingChanges;

/**
 * What the DSCP renderer wants on the switches and what each switch acknowledged: the pure core of the renderer,
 * without I/O. Per gateway, the mappings with FLOW_PRIORITY, the flows each one wants under the gateway's marking
 * policy (or why it may not be marked at all), the bound switches; per switch, the flows it acknowledged or refused
 * per mapping. From these, the outcome of a mapping: installed once every bound switch acknowledged exactly its
 * flows, failed once one refused them, pending otherwise. Confined to the renderer's thread.
 *
 * @param <S> a switch
 */
final class MarkingState<S> {
    /** The marking of a gateway that has no view (yet): renders nothing. */
    static final GatewayView.Marking UNKNOWN = new GatewayView.Marking(Set.of(), Set.of(), false, false, 0, 0,
        java.util.OptionalInt.empty());

    /** One mapping as rendered: its flows. */
    record Rendered(Mapping mapping, List<MarkedFlow> flows) {
        Rendered {
            requireNonNull(mapping);
            flows = List.copyOf(flows);
        }
    }

    /**
     * The flows to take off the switches and to put on, after a change.
     *
     * @param policy the policy the removed flows were installed under (their table and priority)
     * @param removed what goes
     * @param added what comes (again, for a refresh: a new hard timeout)
     * @param touched every mapping whose outcome may have changed
     */
    record Diff(GatewayView.Marking policy, List<Rendered> removed, List<Rendered> added, Set<MappingKey> touched) {
        boolean isEmpty() {
            return removed.isEmpty() && added.isEmpty() && touched.isEmpty();
        }
    }

    /** Where a mapping stands. */
    sealed interface Outcome {
        /** Every bound switch acknowledged it. */
        record Installed(List<String> switches) implements Outcome {
        }

        /** Not (yet) acknowledged everywhere. */
        record Pending(String why) implements Outcome {
        }

        /** A switch refused it, or the policy does not allow it. */
        record Failed(String reason) implements Outcome {
        }

        /** Not rendered at all (no FLOW_PRIORITY, a MAP not marked, the renderer not chosen). */
        record NotRendered() implements Outcome {
        }
    }

    private static final class Gateway<S> {
        boolean on;
        GatewayView.Marking policy = UNKNOWN;
        final Map<MappingKey, Mapping> withPriority = new HashMap<>();
        final Map<MappingKey, Rendered> rendered = new HashMap<>();
        /** Mappings the policy does not allow to be marked, and why. */
        final Map<MappingKey, String> refused = new HashMap<>();
        final Set<S> switches = new LinkedHashSet<>();
        @Nullable String lastFailure;
    }

    private final Map<String, Gateway<S>> gateways = new HashMap<>();
    private final Map<S, Map<MappingKey, List<MarkedFlow>>> acked = new HashMap<>();
    private final Map<S, Map<MappingKey, String>> failed = new HashMap<>();
    private final java.util.function.Function<S, String> names;

    /**
     * An empty state.
     *
     * @param names how a switch is named in outcomes
     */
    MarkingState(final java.util.function.Function<S, String> names) {
        this.names = requireNonNull(names);
    }

    private Gateway<S> gateway(final String id) {
        return gateways.computeIfAbsent(id, k -> new Gateway<>());
    }

    boolean isOn(final String gateway) {
        final var state = gateways.get(gateway);
        return state != null && state.on;
    }

    GatewayView.Marking policy(final String gateway) {
        final var state = gateways.get(gateway);
        return state == null ? UNKNOWN : state.policy;
    }

    Collection<Rendered> rendered(final String gateway) {
        final var state = gateways.get(gateway);
        return state == null ? List.of() : List.copyOf(state.rendered.values());
    }

    @Nullable Rendered rendered(final String gateway, final MappingKey key) {
        final var state = gateways.get(gateway);
        return state == null ? null : state.rendered.get(key);
    }

    /**
     * The mapping with FLOW_PRIORITY stored under this key, rendered or not.
     */
    @Nullable Mapping mapping(final String gateway, final MappingKey key) {
        final var state = gateways.get(gateway);
        return state == null ? null : state.withPriority.get(key);
    }

    List<S> switches(final String gateway) {
        final var state = gateways.get(gateway);
        return state == null ? List.of() : List.copyOf(state.switches);
    }

    /**
     * The flows a mapping wants under a policy: none without FLOW_PRIORITY or for a MAP the policy does not mark.
     * Null when the policy does not allow its DSCP values: the engine refuses those at request time, and the renderer
     * never installs them, whoever stored the mapping (an operator, a policy changed since).
     */
    static @Nullable List<MarkedFlow> flowsOf(final Mapping mapping, final GatewayView.Marking policy) {
        final var priority = mapping.flowPriority();
        if (priority != null && !policy.allows(priority.dscpUp(), priority.dscpDown())) {
            return null;
        }
        return MarkedFlow.of(mapping, policy);
    }

    private static String notAllowed(final Mapping mapping) {
        final var priority = requireNonNull(mapping.flowPriority());
        return "DSCP " + priority.dscpUp() + "/" + priority.dscpDown() + " is not allowed by the gateway's "
            + "pcp-flow-priority policy";
    }

    /**
     * Mappings changed.
     */
    Diff apply(final String gatewayId, final List<MappingChanges.Change> changes) {
        final var state = gateway(gatewayId);
        final var removed = new ArrayList<Rendered>();
        final var added = new ArrayList<Rendered>();
        final var touched = new LinkedHashSet<MappingKey>();
        for (var change : changes) {
            final var key = change.key();
            final var mapping = change.after();
            if (mapping != null && mapping.flowPriority() != null) {
                state.withPriority.put(key, mapping);
            } else {
                state.withPriority.remove(key);
            }
            final var flows = mapping == null || !state.on ? List.<MarkedFlow>of() : flowsOf(mapping, state.policy);
            final boolean wasRefused = state.refused.remove(key) != null;
            if (flows == null) {
                state.refused.put(key, notAllowed(mapping));
            }
            final var old = flows == null || flows.isEmpty() ? state.rendered.remove(key)
                : state.rendered.put(key, new Rendered(mapping, flows));
            if (old != null && !old.flows.equals(flows)) {
                removed.add(old);
            }
            if (flows != null && !flows.isEmpty()) {
                added.add(new Rendered(mapping, flows));
            }
            if (old != null || wasRefused || flows == null || !flows.isEmpty()) {
                touched.add(key);
            }
        }
        return new Diff(state.policy, removed, added, touched);
    }

    /**
     * The gateway's choice of renderer or its marking policy changed (null policy: the gateway went): everything
     * rendered goes under the old policy and comes again under the new one.
     */
    Diff configure(final String gatewayId, final boolean on, final GatewayView.@Nullable Marking policy) {
        final var state = gateway(gatewayId);
        final var newPolicy = policy == null ? UNKNOWN : policy;
        if (state.on == on && state.policy.equals(newPolicy)) {
            return new Diff(state.policy, List.of(), List.of(), Set.of());
        }
        final var previousPolicy = state.policy;
        final var old = List.copyOf(state.rendered.values());
        final var touched = new LinkedHashSet<MappingKey>(state.rendered.keySet());
        touched.addAll(state.refused.keySet());
        state.rendered.clear();
        state.refused.clear();
        state.on = on;
        state.policy = newPolicy;
        final var again = apply(gatewayId, state.withPriority.values().stream()
            .map(mapping -> new MappingChanges.Change(mapping.key(), mapping)).toList());
        touched.addAll(again.touched());
        if (policy == null && state.switches.isEmpty()) {
            gateways.remove(gatewayId);
        }
        // every old flow goes, even where the new one is the same: it may sit at another table or priority
        return new Diff(previousPolicy, old, again.added(), touched);
    }

    /**
     * A switch now serves the gateway; it has acknowledged nothing yet.
     */
    void bound(final String gatewayId, final S sw) {
        gateway(gatewayId).switches.add(sw);
        acked.put(sw, new HashMap<>());
        failed.put(sw, new HashMap<>());
    }

    /**
     * A switch no longer serves the gateway.
     */
    void unbound(final String gatewayId, final S sw) {
        final var state = gateways.get(gatewayId);
        if (state != null) {
            state.switches.remove(sw);
        }
        acked.remove(sw);
        failed.remove(sw);
    }

    /**
     * A switch acknowledged a mapping's flows (null: their removal).
     */
    void acknowledged(final S sw, final MappingKey key, final @Nullable List<MarkedFlow> flows) {
        final var ofSwitch = acked.get(sw);
        if (ofSwitch == null) {
            return;
        }
        if (flows == null) {
            ofSwitch.remove(key);
        } else {
            ofSwitch.put(key, List.copyOf(flows));
        }
        requireNonNull(failed.get(sw)).remove(key);
    }

    /**
     * A switch refused a mapping's flows, or did not acknowledge them.
     */
    void refused(final String gatewayId, final S sw, final MappingKey key, final String reason) {
        final var ofSwitch = failed.get(sw);
        if (ofSwitch == null) {
            return;
        }
        requireNonNull(acked.get(sw)).remove(key);
        final var described = names.apply(sw) + ": " + reason;
        ofSwitch.put(key, described);
        gateway(gatewayId).lastFailure = described;
    }

    /**
     * Where a rendered mapping stands now.
     */
    Outcome outcome(final String gatewayId, final MappingKey key) {
        final var state = gateways.get(gatewayId);
        if (state == null) {
            return new Outcome.NotRendered();
        }
        final var refusal = state.refused.get(key);
        if (refusal != null) {
            return new Outcome.Failed(refusal);
        }
        final var rendered = state.rendered.get(key);
        return rendered == null ? new Outcome.NotRendered() : outcomeFor(state, key, rendered.flows);
    }

    /**
     * Where this version of a mapping stands: whether every bound switch holds exactly the flows it wants.
     */
    Outcome outcomeOf(final Mapping mapping) {
        final var state = gateways.get(mapping.key().gateway());
        if (state == null || !state.on) {
            return new Outcome.NotRendered();
        }
        final var flows = flowsOf(mapping, state.policy);
        if (flows == null) {
            return new Outcome.Failed(notAllowed(mapping));
        }
        return flows.isEmpty() ? new Outcome.NotRendered() : outcomeFor(state, mapping.key(), flows);
    }

    private Outcome outcomeFor(final Gateway<S> state, final MappingKey key, final List<MarkedFlow> flows) {
        if (state.switches.isEmpty()) {
            return new Outcome.Pending("no switch of the gateway is connected");
        }
        final var on = new ArrayList<String>();
        boolean all = true;
        for (var sw : state.switches) {
            final var refusal = failed.getOrDefault(sw, Map.of()).get(key);
            if (refusal != null) {
                return new Outcome.Failed(refusal);
            }
            if (flows.equals(acked.getOrDefault(sw, Map.of()).get(key))) {
                on.add(names.apply(sw));
            } else {
                all = false;
            }
        }
        return all ? new Outcome.Installed(on) : new Outcome.Pending("sent, not acknowledged by every switch");
    }

    /**
     * How far the gateway's mappings are in effect.
     */
    RenderSummary summary(final String gatewayId) {
        final var state = gateways.get(gatewayId);
        if (state == null) {
            return new RenderSummary(0, 0, 0, null);
        }
        long installed = 0;
        long pending = 0;
        long failures = state.refused.size();
        for (var entry : state.rendered.entrySet()) {
            switch (outcomeFor(state, entry.getKey(), entry.getValue().flows)) {
                case Outcome.Installed ok -> installed++;
                case Outcome.Failed failure -> failures++;
                case Outcome.Pending waiting -> pending++;
                case Outcome.NotRendered none -> {
                    // not in the rendered set
                }
            }
        }
        final var last = state.lastFailure;
        return new RenderSummary(installed, pending, failures, last != null ? last
            : state.refused.values().stream().findFirst().orElse(null));
    }
}
