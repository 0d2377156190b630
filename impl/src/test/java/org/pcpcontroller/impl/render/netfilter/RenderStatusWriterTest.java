/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatus;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatusKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Map;
import org.opendaylight.yangtools.binding.DataObject;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.store.BindingMappings;

/**
 * The netfilter render-status writer against a real (in-memory) datastore: a status goes under a mapping that is
 * there, never brings back one that is gone (the answer gate removes a mapping this renderer failed right after the
 * failed status was queued), and a removed mapping's entry goes.
 */
class RenderStatusWriterTest extends AbstractDataBrokerTest {
    private static final Instant NOW = Instant.parse("2026-12-05T18:00:00Z");
    private static final RenderStatusKey NETFILTER = new RenderStatusKey(Renderer.Netfilter);

    private RenderStatusWriter writer;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        writer = new RenderStatusWriter(getDataBroker(), Clock.systemUTC());
    }

    private static Mapping mapping(final int port) {
        return new Mapping(new MappingKey.Map("gw", 17, InetAddresses.forString("10.0.0.2"), port),
            InetAddresses.forString("192.0.3.1"), port, Origin.NAT_PMP, null, null, NOW, NOW.plusSeconds(3600), null,
            null, List.of());
    }

    // as the store keeps it: in the configuration datastore only; the operational entry is the renderers'
    private void store(final Mapping mapping) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        BindingMappings.put(tx, mapping);
        tx.commit().get(5, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    private static DataObjectIdentifier<Map> mapPath(final Mapping mapping) {
        return (DataObjectIdentifier<Map>) BindingMappings.path(mapping.key());
    }

    private <T extends DataObject> Optional<T> read(final DataObjectIdentifier<T> path) throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.OPERATIONAL, path).get(5, TimeUnit.SECONDS);
        }
    }

    private Optional<RenderStatus> status(final Mapping mapping) throws Exception {
        return read(mapPath(mapping).toBuilder().child(RenderStatus.class, NETFILTER).build());
    }

    @Test
    void aStatusGoesUnderItsMappingAndLeavesTheMappingAsItIs() throws Exception {
        final var mapping = mapping(5000);
        store(mapping);
        writer.submit(List.of(new RuleLedger.StatusChange(mapping.key(), mapping,
            new RuleLedger.Status.Failed("gateway unreachable: connection refused"))));
        final var status = Await.until(Duration.ofSeconds(10), () -> status(mapping), Optional::isPresent)
            .orElseThrow();
        assertEquals(RenderStatus.State.Failed, status.getState());
        assertEquals("gateway unreachable: connection refused", status.getDetail());
        assertEquals(BindingMappings.toBinding(mapping).getExternalPort(),
            read(mapPath(mapping)).orElseThrow().getExternalPort());
    }

    @Test
    void aStatusOfAMappingThatIsGoneDoesNotBringItBack() throws Exception {
        final var gone = mapping(6000);
        final var kept = mapping(5000);
        store(kept);
        // queued after the answer gate removed the mapping (it is not in the datastore), then another one's status
        writer.submit(List.of(new RuleLedger.StatusChange(gone.key(), gone,
            new RuleLedger.Status.Failed("gateway unreachable"))));
        writer.submit(List.of(new RuleLedger.StatusChange(kept.key(), kept, new RuleLedger.Status.Installed())));
        // batches go out in order: once the second status is there, the first was handled
        Await.until(Duration.ofSeconds(10), () -> status(kept), Optional::isPresent);
        assertTrue(read(mapPath(gone)).isEmpty(), "the removed mapping came back");
    }

    @Test
    void aRemovedMappingTakesItsEntryWithIt() throws Exception {
        final var mapping = mapping(5000);
        store(mapping);
        writer.submit(List.of(new RuleLedger.StatusChange(mapping.key(), mapping, new RuleLedger.Status.Pending())));
        Await.until(Duration.ofSeconds(10), () -> status(mapping), Optional::isPresent);
        writer.submit(List.of(new RuleLedger.StatusChange(mapping.key(), null, null)));
        Await.until(Duration.ofSeconds(10), () -> read(mapPath(mapping)), Optional::isEmpty);
    }

    @Test
    void aStatusChangeOfAMappingTheStoreNoLongerHoldsTakesItsEntryAway() throws Exception {
        // the answer gate rolled the mapping back after its failed status was written; the ledger then reports
        // the mapping as no longer rendered, with the mapping it had
        final var mapping = mapping(5000);
        store(mapping);
        writer.submit(List.of(new RuleLedger.StatusChange(mapping.key(), mapping,
            new RuleLedger.Status.Failed("gateway unreachable"))));
        Await.until(Duration.ofSeconds(10), () -> status(mapping), Optional::isPresent);
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.delete(LogicalDatastoreType.CONFIGURATION, mapPath(mapping));
        tx.commit().get(5, TimeUnit.SECONDS);
        writer.submit(List.of(new RuleLedger.StatusChange(mapping.key(), mapping, null)));
        Await.until(Duration.ofSeconds(10), () -> read(mapPath(mapping)), Optional::isEmpty);
    }
}
