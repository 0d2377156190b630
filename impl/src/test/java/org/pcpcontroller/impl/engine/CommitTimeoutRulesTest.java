/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pcpcontroller.impl.engine.EngineFixture.CLIENT;
import static org.pcpcontroller.impl.engine.EngineFixture.GATEWAY;
import static org.pcpcontroller.impl.engine.EngineFixture.map;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingRequest;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingResponse;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.ResultCode;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.CommitHook;
import org.pcpcontroller.impl.store.StoreTestAccess;

/**
 * A datastore that does not confirm a commit in time (a cluster shard without its leader, a stalled disk): the
 * client is answered the RFC's out-of-resources error when the store's bound runs out, not left without an answer,
 * and the store holds nothing of it. The commit may still land afterwards; the store then writes the datastore back
 * to what it granted, so that index and datastore are equal again and the client's retry is served.
 */
class CommitTimeoutRulesTest extends AbstractDataBrokerTest {
    private static final long COMMIT_TIMEOUT_MILLIS = 300;

    private EngineFixture fixture;
    private final SettableFuture<Void> confirm = SettableFuture.create();

    @BeforeEach
    void startEngine() throws Exception {
        setup();
        fixture = new EngineFixture(getDataBroker(), getDomBroker(), policy -> { }, COMMIT_TIMEOUT_MILLIS);
    }

    @AfterEach
    void stopEngine() {
        confirm.set(null);
        fixture.close();
    }

    /**
     * The next commit goes into the datastore at once, but its confirmation reaches the store only once the test
     * says so; the commits after it are the datastore's own.
     */
    private void delayNextConfirmation() {
        final var first = new AtomicBoolean(true);
        StoreTestAccess.commitHook(fixture.store, tx -> {
            if (!first.getAndSet(false)) {
                return CommitHook.DATASTORE.commit(tx);
            }
            final var committed = tx.commit();
            return Futures.transformAsync(confirm, ignored -> committed, MoreExecutors.directExecutor());
        });
    }

    /** The mappings of the gateway in the datastore, read past the store. */
    private int inDatastore() throws Exception {
        try (var tx = fixture.broker.newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.CONFIGURATION, BindingMappings.gatewayPath(GATEWAY))
                .get(5, TimeUnit.SECONDS).map(entry -> entry.nonnullMap().size() + entry.nonnullPeer().size())
                .orElse(0);
        }
    }

    private void assertIndexBecomesTheDatastoreAgain() throws Exception {
        // the commit the store gave up on is in the datastore: the two differ until the store hears of it
        assertEquals(1, inDatastore());
        confirm.set(null);
        Await.until(() -> StoreTestAccess.consistencyProblems(fixture.store, getDomBroker()), List::isEmpty);
        assertEquals(0, fixture.store.count(GATEWAY));
        assertEquals(0, inDatastore());
    }

    @Test
    void pcp_aCommitNotConfirmedInTimeIsNoResourcesAndHoldsNothing() throws Exception {
        delayNextConfirmation();
        final var refused = fixture.pcp(map(600, 1234, 5003));
        // RFC 6887 section 7.4: the server is out of a resource, a short-lifetime error
        assertEquals(ResultCode.NO_RESOURCES, refused.resultCode());
        assertEquals(30, refused.lifetime());
        assertEquals(0, fixture.store.count(GATEWAY));
        assertIndexBecomesTheDatastoreAgain();
        final var served = fixture.pcp(map(600, 1234, 5003));
        assertEquals(ResultCode.SUCCESS, served.resultCode());
        assertEquals(1, fixture.store.count(GATEWAY));
        assertEquals(List.of(), StoreTestAccess.consistencyProblems(fixture.store, getDomBroker()));
    }

    @Test
    void natPmp_aCommitNotConfirmedInTimeIsOutOfResourcesAndHoldsNothing() throws Exception {
        delayNextConfirmation();
        final var refused = (MappingResponse) fixture.natPmp(CLIENT, new MappingRequest(MappingProtocol.UDP, 4000,
            5003, 3600));
        // RFC 6886 section 3.5: out of resources
        assertEquals(NatPmpResultCode.OUT_OF_RESOURCES, refused.resultCode());
        assertIndexBecomesTheDatastoreAgain();
        final var served = (MappingResponse) fixture.natPmp(CLIENT, new MappingRequest(MappingProtocol.UDP, 4000,
            5003, 3600));
        assertEquals(NatPmpResultCode.SUCCESS, served.resultCode());
        assertEquals(1, fixture.store.mappingsOf(GATEWAY, CLIENT).size());
        assertEquals(List.of(), StoreTestAccess.consistencyProblems(fixture.store, getDomBroker()));
    }
}
