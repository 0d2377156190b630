/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.netfilter.Rule;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;

/**
 * The rule ledger on its own, no I/O: what is sent when, what an acknowledgement or a refusal completes, and the
 * render status each mapping gets.
 */
class RuleLedgerTest {
    private static final Instant NOW = Instant.parse("2026-12-05T18:00:00Z");

    private final RuleLedger ledger = new RuleLedger(false);

    private static Mapping map(final int port) {
        return new Mapping(new MappingKey.Map("gw", 17, InetAddresses.forString("10.0.0.2"), port),
            InetAddresses.forString("192.0.3.1"), port, Origin.NAT_PMP, null, null, NOW, NOW.plusSeconds(3600), null,
            null, List.of());
    }

    private static Set<String> names(final List<Rule> rules) {
        return rules.stream().map(rule -> rule.requireName().getValue()).collect(Collectors.toSet());
    }

    private static Set<String> names(final Mapping mapping) {
        return names(NetfilterRules.render(mapping, false));
    }

    private void add(final Mapping mapping) {
        ledger.update(mapping.key(), mapping);
    }

    /** Sends and acknowledges every edit the ledger has; returns how many rules each carried. */
    private List<Integer> drain() {
        final var sizes = new ArrayList<Integer>();
        for (var batch = ledger.nextBatch(); batch != null; batch = ledger.nextBatch()) {
            sizes.add(batch.put().size() + batch.lease().size() + batch.remove().size());
            ledger.acknowledged();
        }
        return sizes;
    }

    @Test
    void nothingIsSentBeforeTheGatewayWasReadAndAnAcknowledgementInstalls() {
        final var mapping = map(5000);
        add(mapping);
        assertNull(ledger.nextBatch());
        assertInstanceOf(RuleLedger.Status.Pending.class, ledger.status(mapping.key()));
        ledger.reconciled(Map.of());
        final var batch = ledger.nextBatch();
        assertNotNull(batch);
        assertEquals(names(mapping), names(batch.put()));
        assertTrue(batch.remove().isEmpty());
        // one edit in flight at a time
        assertNull(ledger.nextBatch());
        assertEquals(List.of(mapping.key()), ledger.acknowledged());
        assertInstanceOf(RuleLedger.Status.Installed.class, ledger.status(mapping.key()));
        assertNull(ledger.nextBatch());
        final var changes = ledger.drainChanges();
        assertEquals(1, changes.size());
        assertInstanceOf(RuleLedger.Status.Installed.class, changes.getFirst().status());
    }

    @Test
    void aReconcileRemovesStrangersAndRestoresMissingRules() {
        final var mapping = map(5000);
        add(mapping);
        ledger.reconciled(Map.of());
        drain();
        // a hand edit removed one of our rules and added one the controller cannot read
        final var rules = NetfilterRules.render(mapping, false);
        final var actual = new HashMap<String, @Nullable Rule>();
        rules.subList(1, rules.size()).forEach(rule -> actual.put(rule.requireName().getValue(), rule));
        actual.put("stray/by/hand", null);
        ledger.reconciled(actual);
        assertInstanceOf(RuleLedger.Status.Pending.class, ledger.status(mapping.key()));
        final var batch = ledger.nextBatch();
        assertNotNull(batch);
        assertEquals(Set.of(rules.getFirst().requireName().getValue()), names(batch.put()));
        assertEquals(List.of("stray/by/hand"), batch.remove());
        ledger.acknowledged();
        assertInstanceOf(RuleLedger.Status.Installed.class, ledger.status(mapping.key()));
        assertTrue(ledger.settled());
    }

    @Test
    void editsCarryAtMostMaxRulesPerEdit() {
        final var mappings = new ArrayList<Mapping>();
        for (int port = 1024; port < 2524; port++) {
            mappings.add(map(port));
            add(mappings.getLast());
        }
        ledger.reconciled(Map.of());
        final var sizes = drain();
        assertTrue(sizes.size() >= 2, sizes.toString());
        sizes.forEach(size -> assertTrue(size <= RuleLedger.MAX_RULES_PER_EDIT, sizes.toString()));
        mappings.forEach(mapping -> assertInstanceOf(RuleLedger.Status.Installed.class,
            ledger.status(mapping.key())));
        assertEquals(mappings.size(), ledger.summary().installed());
    }

    @Test
    void aRefusedEditIsSplitUntilTheRefusedMappingIsAloneAndOnlyItFails() {
        final var mappings = List.of(map(5000), map(5001), map(5002), map(5003));
        mappings.forEach(this::add);
        ledger.reconciled(Map.of());
        final var bad = mappings.get(1);
        final var failed = new ArrayList<MappingKey>();
        for (var batch = ledger.nextBatch(); batch != null; batch = ledger.nextBatch()) {
            // the gateway refuses every edit that carries the bad mapping's rules
            if (names(batch.put()).containsAll(names(bad))) {
                failed.addAll(ledger.refused("invalid-value", true));
            } else {
                ledger.acknowledged();
            }
        }
        assertEquals(List.of(bad.key()), failed);
        assertEquals(new RuleLedger.Status.Failed("refused by the gateway: invalid-value"), ledger.status(bad.key()));
        mappings.stream().filter(mapping -> mapping != bad).forEach(mapping ->
            assertInstanceOf(RuleLedger.Status.Installed.class, ledger.status(mapping.key())));
        // held back until forgiven (the periodic reconcile), then tried again
        assertNull(ledger.nextBatch());
        ledger.forgive();
        final var again = ledger.nextBatch();
        assertNotNull(again);
        assertEquals(names(bad), names(again.put()));
    }

    @Test
    void aRefusalOfTheSessionNotTheContentSendsTheSameEditAgain() {
        final var mapping = map(5000);
        add(mapping);
        ledger.reconciled(Map.of());
        final var batch = ledger.nextBatch();
        assertNotNull(batch);
        assertEquals(List.of(), ledger.refused("lock-denied", false));
        assertInstanceOf(RuleLedger.Status.Pending.class, ledger.status(mapping.key()));
        final var again = ledger.nextBatch();
        assertNotNull(again);
        assertEquals(names(batch.put()), names(again.put()));
    }

    @Test
    void aBlockFailsWhatIsNotInstalledOnly() {
        final var installed = map(5000);
        add(installed);
        ledger.reconciled(Map.of());
        drain();
        final var waiting = map(5001);
        add(waiting);
        ledger.block("gateway unreachable: connection refused");
        assertEquals(new RuleLedger.Status.Failed("gateway unreachable: connection refused"),
            ledger.status(waiting.key()));
        assertInstanceOf(RuleLedger.Status.Installed.class, ledger.status(installed.key()));
        ledger.block(null);
        assertInstanceOf(RuleLedger.Status.Pending.class, ledger.status(waiting.key()));
    }

    @Test
    void aLostSessionSendsNothingUntilTheGatewayIsReadAgain() {
        final var mapping = map(5000);
        add(mapping);
        ledger.reconciled(Map.of());
        assertNotNull(ledger.nextBatch());
        ledger.lost();
        assertNull(ledger.nextBatch());
        ledger.reconciled(Map.of());
        final var batch = ledger.nextBatch();
        assertNotNull(batch);
        assertEquals(names(mapping), names(batch.put()));
    }

    @Test
    void aRemovedMappingLosesItsRulesAndItsStatus() {
        final var mapping = map(5000);
        add(mapping);
        ledger.reconciled(Map.of());
        drain();
        ledger.drainChanges();
        ledger.update(mapping.key(), null);
        assertNull(ledger.status(mapping.key()));
        assertEquals(List.of(new RuleLedger.StatusChange(mapping.key(), null, null)), ledger.drainChanges());
        final var batch = ledger.nextBatch();
        assertNotNull(batch);
        assertEquals(names(mapping), Set.copyOf(batch.remove()));
        assertTrue(batch.put().isEmpty());
        ledger.acknowledged();
        assertEquals(0, ledger.heldCount());
    }
}
