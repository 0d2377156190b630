/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.Rule;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.RuleBuilder;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.gateway.RenderSummary;

/**
 * The pure core of one gateway's netfilter rendering: which rules each mapping wants, which rules the gateway is known
 * to hold, and from the two what to send next and what each mapping's render status is. No I/O, no clock, no threads:
 * {@link GatewaySession} feeds it mapping changes and NETCONF outcomes, one at a time.
 *
 * <p>What the gateway holds is learnt by a read ({@link #reconciled}) and kept up to date by acknowledged edits
 * ({@link #acknowledged}); the difference to the wanted rules is the dirty set, and {@link #nextBatch} sends it in
 * edits of at most {@value #MAX_RULES_PER_EDIT} rules. A rule that differs from the held one only in its lease end is
 * sent as a lease, not as a whole rule.
 *
 * <p>A refused edit (rollback-on-error: the gateway is unchanged) that carried several mappings is split in halves
 * that are sent on their own, until the mapping the gateway refuses is alone; that one is failed and held back until
 * it changes or {@link #forgive()} is called. So one rule the gateway cannot take does not keep the others out.
 */
final class RuleLedger {
    /**
     * Rules per edit-config. netconfd refuses a message of a few megabytes ("resource denied") and drops the session,
     * so a reconcile of thousands of rules goes out in chunks; about 400 KB each.
     */
    static final int MAX_RULES_PER_EDIT = 1000;

    /**
     * A mapping's render status, as {@code render-status/state} says it.
     */
    sealed interface Status {
        /** Wanted, not acknowledged by the gateway yet. */
        record Pending() implements Status {
        }

        /** The gateway acknowledged the mapping's rules as they are now. */
        record Installed() implements Status {
        }

        /** Not in effect, and not going to be without a change: why. */
        record Failed(String reason) implements Status {
            public Failed {
                requireNonNull(reason);
            }
        }
    }

    static final Status PENDING = new Status.Pending();
    static final Status INSTALLED = new Status.Installed();

    /**
     * A render status to write. {@code status} null means the renderer has no status for the mapping any more: it is
     * gone from the store ({@code mapping} null too), or is there but renders to nothing.
     */
    record StatusChange(MappingKey key, @Nullable Mapping mapping, @Nullable Status status) {
        StatusChange {
            requireNonNull(key);
        }
    }

    /**
     * What {@link #nextBatch} sends, and what it decides on: the rules to put whole, to renew the lease of, to remove.
     */
    record Batch(List<Rule> put, List<Rule> lease, List<String> remove, List<Unit> units) {
        Batch {
            put = List.copyOf(put);
            lease = List.copyOf(lease);
            remove = List.copyOf(remove);
            units = List.copyOf(units);
        }

        int size() {
            return put.size() + lease.size() + remove.size();
        }
    }

    /**
     * What a refused edit is split into and what is held back: the rules of one mapping, or one rule no mapping
     * wants (a stray one, to remove).
     */
    sealed interface Unit {
        /** The rules of one mapping. */
        record Of(MappingKey key) implements Unit {
            public Of {
                requireNonNull(key);
            }
        }

        /** A rule no mapping wants. */
        record Stray(String name) implements Unit {
            public Stray {
                requireNonNull(name);
            }
        }
    }

    /**
     * One mapping as rendered.
     *
     * @param problem why the mapping cannot be expressed in pcp-netfilter, or null
     */
    private record Entry(Mapping mapping, List<Rule> rules, @Nullable String problem) {
    }

    private final boolean renderDscp;
    private final Map<MappingKey, Entry> entries = new HashMap<>();
    private final TreeMap<String, Rule> wanted = new TreeMap<>();
    private final Map<String, MappingKey> ownerOf = new HashMap<>();
    /** What the gateway holds, by name; a null value is a rule it holds that the controller cannot read. */
    private Map<String, @Nullable Rule> held = new HashMap<>();
    /** Whether {@link #held} was read since the last loss of the session: edits need a known base. */
    private boolean known;
    /** Names whose wanted and held rule differ. */
    private final TreeSet<String> dirty = new TreeSet<>();
    private @Nullable Batch inFlight;
    private boolean inFlightIsGroup;
    /** Halves of refused edits, sent before anything else, one per edit. */
    private final ArrayDeque<List<Unit>> groups = new ArrayDeque<>();
    /** Units the gateway refused on their own, and why; not sent again until they change or are forgiven. */
    private final Map<Unit, String> quarantined = new HashMap<>();
    /** Why the gateway cannot be written at all (unreachable, owned by another controller), or null. */
    private @Nullable String blocked;
    private final Map<MappingKey, Status> statuses = new HashMap<>();
    private final Map<MappingKey, Mapping> reported = new HashMap<>();
    private final LinkedHashMap<MappingKey, StatusChange> changes = new LinkedHashMap<>();
    private long installed;
    private long pending;
    private long failed;
    private @Nullable String lastFailure;

    /**
     * A ledger of a gateway whose held rules are not known yet.
     *
     * @param renderDscp whether FLOW_PRIORITY renders as DSCP rules ({@code dscp-renderer netfilter})
     */
    RuleLedger(final boolean renderDscp) {
        this.renderDscp = renderDscp;
    }

    /**
     * A mapping changed in the store; null: it is gone.
     */
    void update(final MappingKey key, final @Nullable Mapping mapping) {
        final var previous = entries.remove(key);
        if (previous != null) {
            for (var rule : previous.rules()) {
                final var name = rule.requireName().getValue();
                wanted.remove(name);
                ownerOf.remove(name);
                touch(name);
            }
        }
        // a changed mapping gets another chance with the gateway
        quarantined.remove(new Unit.Of(key));
        if (mapping != null) {
            final var problem = NetfilterRules.problem(mapping);
            if (problem != null) {
                entries.put(key, new Entry(mapping, List.of(), problem));
            } else {
                final var rules = NetfilterRules.render(mapping, renderDscp);
                if (!rules.isEmpty()) {
                    entries.put(key, new Entry(mapping, rules, null));
                    for (var rule : rules) {
                        final var name = rule.requireName().getValue();
                        wanted.put(name, rule);
                        ownerOf.put(name, key);
                        touch(name);
                    }
                }
            }
        }
        restatus(key, mapping);
    }

    /**
     * What the gateway holds, as just read; the session reads it on every (re)connect and reconcile.
     *
     * @param actual the rules by name; a null value is a rule the controller could not read back
     */
    void reconciled(final Map<String, ? extends @Nullable Rule> actual) {
        held = new HashMap<>(actual);
        known = true;
        inFlight = null;
        inFlightIsGroup = false;
        dirty.clear();
        final var names = new TreeSet<>(wanted.keySet());
        names.addAll(held.keySet());
        names.forEach(this::touch);
        restatusAll();
    }

    /**
     * The session was lost: an edit in flight may or may not have been applied, so nothing is sent until the gateway
     * is read again. What it held stays the best knowledge for the render status.
     */
    void lost() {
        inFlight = null;
        inFlightIsGroup = false;
        known = false;
    }

    /**
     * The next edit to send, or null when there is nothing to send, the held rules are not known, or an edit is in
     * flight. Halves of a refused edit go first, each alone.
     */
    @Nullable Batch nextBatch() {
        if (!known || inFlight != null) {
            return null;
        }
        while (!groups.isEmpty()) {
            final var names = new ArrayList<String>();
            for (var unit : groups.peekFirst()) {
                names.addAll(dirtyNames(unit));
            }
            if (!names.isEmpty()) {
                return start(names, true);
            }
            groups.pollFirst();
        }
        final var names = new ArrayList<String>();
        for (var name : dirty) {
            if (names.size() >= MAX_RULES_PER_EDIT) {
                break;
            }
            if (!quarantined.containsKey(unitOf(name))) {
                names.add(name);
            }
        }
        return names.isEmpty() ? null : start(names, false);
    }

    private List<String> dirtyNames(final Unit unit) {
        if (quarantined.containsKey(unit)) {
            return List.of();
        }
        return switch (unit) {
            case Unit.Of of -> {
                final var entry = entries.get(of.key());
                yield entry == null ? List.of() : entry.rules().stream().map(rule -> rule.requireName().getValue())
                    .filter(dirty::contains).toList();
            }
            case Unit.Stray stray -> dirty.contains(stray.name()) && !wanted.containsKey(stray.name())
                ? List.of(stray.name()) : List.of();
        };
    }

    private Batch start(final List<String> names, final boolean group) {
        final var put = new ArrayList<Rule>();
        final var lease = new ArrayList<Rule>();
        final var remove = new ArrayList<String>();
        final var units = new LinkedHashSet<Unit>();
        for (var name : names.subList(0, Math.min(names.size(), MAX_RULES_PER_EDIT))) {
            units.add(unitOf(name));
            final var want = wanted.get(name);
            final var have = held.get(name);
            if (want == null) {
                remove.add(name);
            } else if (have != null && want.getExpires() != null && onlyLeaseDiffers(want, have)) {
                lease.add(want);
            } else {
                put.add(want);
            }
        }
        final var batch = new Batch(put, lease, remove, List.copyOf(units));
        inFlight = batch;
        inFlightIsGroup = group;
        return batch;
    }

    /**
     * The edit in flight was applied (edit-config, and commit with a candidate, replied ok).
     *
     * @return the mappings whose rules it carried
     */
    List<MappingKey> acknowledged() {
        final var batch = requireNonNull(inFlight, "no edit in flight");
        inFlight = null;
        if (inFlightIsGroup) {
            groups.pollFirst();
        }
        for (var rule : batch.put()) {
            held(rule);
        }
        for (var rule : batch.lease()) {
            held(rule);
        }
        for (var name : batch.remove()) {
            held.remove(name);
            touch(name);
        }
        return restatusUnits(batch.units());
    }

    private void held(final Rule rule) {
        final var name = rule.requireName().getValue();
        held.put(name, rule);
        touch(name);
    }

    /**
     * The edit in flight was refused and rolled back: the gateway holds what it held before.
     *
     * @param reason what the gateway said
     * @param dataError whether the gateway refused the content (then the edit is split until the refused mapping is
     *        alone), rather than the session or the datastore (locked, access denied: then it is sent again as is)
     * @return the mappings failed by it, held back until they change or are forgiven
     */
    List<MappingKey> refused(final String reason, final boolean dataError) {
        final var batch = requireNonNull(inFlight, "no edit in flight");
        inFlight = null;
        if (!dataError) {
            return List.of();
        }
        if (inFlightIsGroup) {
            groups.pollFirst();
        }
        final var units = batch.units();
        if (units.size() > 1) {
            final int half = units.size() / 2;
            groups.addFirst(units.subList(half, units.size()));
            groups.addFirst(units.subList(0, half));
            return List.of();
        }
        final var unit = units.getFirst();
        quarantined.put(unit, reason);
        lastFailure = reason;
        return restatusUnits(units);
    }

    /**
     * Gives refused mappings another chance: the periodic reconcile does, so that a refusal for a passing reason
     * (the gateway's agent restarting) does not last.
     */
    void forgive() {
        if (quarantined.isEmpty()) {
            return;
        }
        final var units = List.copyOf(quarantined.keySet());
        quarantined.clear();
        restatusUnits(units);
    }

    /**
     * Why no mapping that is not installed can become so now (gateway unreachable, owned by another controller),
     * or null once that is over. Mappings not installed report it as their failure.
     */
    void block(final @Nullable String reason) {
        if (Objects.equals(blocked, reason)) {
            return;
        }
        blocked = reason;
        if (reason != null) {
            lastFailure = reason;
        }
        restatusAll();
    }

    @Nullable String blocked() {
        return blocked;
    }

    /**
     * Whether {@link #nextBatch} would give an edit.
     */
    boolean hasWork() {
        if (!known || inFlight != null) {
            return false;
        }
        for (var group : groups) {
            for (var unit : group) {
                if (!dirtyNames(unit).isEmpty()) {
                    return true;
                }
            }
        }
        for (var name : dirty) {
            if (!quarantined.containsKey(unitOf(name))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the gateway holds these rules (of one mapping version) as they are.
     */
    boolean holds(final List<Rule> rules) {
        for (var rule : rules) {
            final var have = held.get(rule.requireName().getValue());
            if (have == null || !NetfilterRules.sameRule(rule, have)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Why this mapping, as it is now in the ledger, cannot be put into effect, or null.
     */
    @Nullable String failure(final Mapping mapping) {
        final var entry = entries.get(mapping.key());
        if (entry == null || !entry.mapping().equals(mapping)) {
            return null;
        }
        return statuses.get(mapping.key()) instanceof Status.Failed failure ? failure.reason() : null;
    }

    @Nullable Status status(final MappingKey key) {
        return statuses.get(key);
    }

    /**
     * The render statuses that changed since the last call, in order of change, one per mapping.
     */
    List<StatusChange> drainChanges() {
        final var drained = List.copyOf(changes.values());
        changes.clear();
        return drained;
    }

    /**
     * A status change to forget every mapping's status (the renderer stops rendering the gateway); the ledger is
     * not usable afterwards.
     */
    List<StatusChange> forgetAll() {
        final var forgotten = entries.values().stream()
            .filter(entry -> statuses.containsKey(entry.mapping().key()))
            .map(entry -> new StatusChange(entry.mapping().key(), entry.mapping(), null))
            .toList();
        changes.clear();
        return forgotten;
    }

    RenderSummary summary() {
        return new RenderSummary(installed, pending, failed, lastFailure);
    }

    boolean known() {
        return known;
    }

    /** Whether the gateway holds exactly the wanted rules, as far as known. */
    boolean settled() {
        return dirty.isEmpty() && inFlight == null;
    }

    int heldCount() {
        return held.size();
    }

    int wantedCount() {
        return wanted.size();
    }

    private Unit unitOf(final String name) {
        final var key = ownerOf.get(name);
        return key != null ? new Unit.Of(key) : new Unit.Stray(name);
    }

    private void touch(final String name) {
        final var want = wanted.get(name);
        final boolean differs;
        if (!held.containsKey(name)) {
            differs = want != null;
        } else {
            final var have = held.get(name);
            differs = want == null || have == null || !NetfilterRules.sameRule(want, have);
        }
        if (differs) {
            dirty.add(name);
        } else {
            dirty.remove(name);
        }
    }

    private static boolean onlyLeaseDiffers(final Rule want, final Rule have) {
        return NetfilterRules.sameRule(new RuleBuilder(want).setExpires(null).build(),
            new RuleBuilder(have).setExpires(null).build());
    }

    private List<MappingKey> restatusUnits(final List<Unit> units) {
        final var keys = new ArrayList<MappingKey>();
        for (var unit : units) {
            if (unit instanceof Unit.Of of) {
                final var entry = entries.get(of.key());
                restatus(of.key(), entry == null ? null : entry.mapping());
                keys.add(of.key());
            }
        }
        return keys;
    }

    private void restatusAll() {
        final var keys = new HashSet<>(statuses.keySet());
        keys.addAll(entries.keySet());
        for (var key : keys) {
            final var entry = entries.get(key);
            restatus(key, entry == null ? null : entry.mapping());
        }
    }

    private @Nullable Status computeStatus(final MappingKey key) {
        final var entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (entry.problem() != null) {
            return new Status.Failed("cannot be expressed in pcp-netfilter: " + entry.problem());
        }
        final var refusal = quarantined.get(new Unit.Of(key));
        if (refusal != null) {
            return new Status.Failed("refused by the gateway: " + refusal);
        }
        if (holds(entry.rules())) {
            return INSTALLED;
        }
        return blocked != null ? new Status.Failed(blocked) : PENDING;
    }

    // Records a change when the status or the mapping the status describes changed.
    private void restatus(final MappingKey key, final @Nullable Mapping mapping) {
        final var status = computeStatus(key);
        final var before = statuses.get(key);
        final var reportedMapping = reported.get(key);
        if (Objects.equals(before, status) && Objects.equals(reportedMapping, status == null ? null : mapping)) {
            return;
        }
        count(before, -1);
        count(status, 1);
        if (status == null) {
            statuses.remove(key);
            reported.remove(key);
            if (before != null) {
                changes.put(key, new StatusChange(key, mapping, null));
            }
            return;
        }
        statuses.put(key, status);
        reported.put(key, requireNonNull(mapping));
        changes.put(key, new StatusChange(key, mapping, status));
        if (status instanceof Status.Failed failure && !(before instanceof Status.Failed)) {
            lastFailure = failure.reason();
        }
    }

    private void count(final @Nullable Status status, final int delta) {
        switch (status) {
            case Status.Installed ignored -> installed += delta;
            case Status.Pending ignored -> pending += delta;
            case Status.Failed ignored -> failed += delta;
            case null -> {
                // not counted
            }
        }
    }
}
