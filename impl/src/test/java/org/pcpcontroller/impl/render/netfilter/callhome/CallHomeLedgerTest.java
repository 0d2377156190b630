/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Action;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Action.Close;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Action.Fail;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Action.HandOver;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Action.Hold;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Action.Probe;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Entry;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Identity;
import org.pcpcontroller.impl.render.netfilter.callhome.CallHomeLedger.Registered;

/**
 * The call-home bookkeeping, one rule per test: a gateway is known by its host key alone, its calls reach whoever
 * asked for its next session, and a gateway calling again replaces a session only once that session proved dead.
 * Connections and requests are plain names here.
 */
class CallHomeLedgerTest {
    private static final String KEY_A = "SHA256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String KEY_B = "SHA256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static final SshCredentials CREDENTIALS = new SshCredentials.Password("pcpgw", "secret");

    private final CallHomeLedger<String, String> ledger = new CallHomeLedger<>();

    private Entry<String, String> register(final String gateway, final String key) {
        final var registered = assertInstanceOf(Registered.Accepted.class, ledger.register(gateway, key,
            CREDENTIALS));
        assertEquals(List.of(), registered.actions());
        @SuppressWarnings("unchecked")
        final var entry = (Entry<String, String>) registered.entry();
        return entry;
    }

    /** A call of gateway "gw" (key A) whose NETCONF session is up. */
    private List<Action<String, String>> callUp(final String connection) {
        assertInstanceOf(Identity.Known.class, ledger.identify(connection, KEY_A, "192.0.2.1:40000"));
        return ledger.up(connection);
    }

    @Test
    void aHostKeyOfNoGatewayIsRefusedCountedAndRecorded() {
        register("gw", KEY_A);
        assertInstanceOf(Identity.Unknown.class, ledger.identify("c1", KEY_B, "198.51.100.7:5555"));

        final var counters = ledger.counters();
        assertEquals(1, counters.unknownHostKeys());
        assertEquals(KEY_B + " from 198.51.100.7:5555", counters.lastUnknownHostKey());
        // nothing to do for it later either: it was never identified
        assertEquals(List.of(), ledger.failed("c1", "closed"));
    }

    @Test
    void theHostKeySaysWhichGatewayAndWhichCredentials() {
        register("gw", KEY_A);
        assertEquals(new Identity.Known("gw", CREDENTIALS), ledger.identify("c1", KEY_A, "192.0.2.1:40000"));
    }

    @Test
    void aHostKeyIdentifiesOneGatewayOnly() {
        register("gw", KEY_A);
        assertEquals(new Registered.KeyInUse<String, String>("gw"), ledger.register("other", KEY_A, CREDENTIALS));
        // the first gateway is still the one
        assertEquals(new Identity.Known("gw", CREDENTIALS), ledger.identify("c1", KEY_A, "192.0.2.1:40000"));
    }

    @Test
    void aCallWhileTheOwnerWaitsIsHandedOver() {
        final var entry = register("gw", KEY_A);
        assertEquals(List.of(), ledger.request(entry, "r1"));
        assertEquals(List.of(new HandOver<>("r1", "c1")), callUp("c1"));
        assertEquals(1, ledger.counters().sessions());
    }

    @Test
    void aCallWithNobodyWaitingIsHeldForTheNextRequest() {
        final var entry = register("gw", KEY_A);
        assertEquals(List.of(new Hold<>("c1")), callUp("c1"));
        assertEquals(List.of(new HandOver<>("r1", "c1")), ledger.request(entry, "r1"));
    }

    @Test
    void aHeldCallNobodyAsksForIsClosedInTheEnd() {
        register("gw", KEY_A);
        callUp("c1");
        final var actions = ledger.unclaimed("c1");
        assertEquals(1, actions.size());
        assertInstanceOf(Close.class, actions.getFirst());
        assertEquals(1, ledger.counters().unclaimed());
        // a handed-out session has no such limit
        assertEquals(List.of(), ledger.unclaimed("c1"));
    }

    @Test
    void aNewerCallReplacesAHeldOne() {
        final var entry = register("gw", KEY_A);
        callUp("c1");
        final var actions = callUp("c2");
        assertEquals(2, actions.size());
        assertEquals("c1", assertInstanceOf(Close.class, actions.get(0)).connection());
        assertEquals(new Hold<>("c2"), actions.get(1));
        assertEquals(List.of(new HandOver<>("r1", "c2")), ledger.request(entry, "r1"));
        // the replaced one's timer finds nothing to do
        assertEquals(List.of(), ledger.unclaimed("c1"));
    }

    @Test
    void aCallWhileTheSessionIsLiveIsHeldAndTheSessionProbed() {
        final var entry = register("gw", KEY_A);
        ledger.request(entry, "r1");
        callUp("c1");
        assertEquals(List.of(new Hold<>("c2"), new Probe<>("c1")), callUp("c2"));
        // one probe at a time: a third call only replaces the held one
        final var third = callUp("c3");
        assertEquals(List.of(new Close<>("c2", "gateway gw called again"), new Hold<>("c3")), third);
    }

    @Test
    void aSessionThatAnswersStaysAndTheNewcomerIsClosed() {
        final var entry = register("gw", KEY_A);
        ledger.request(entry, "r1");
        callUp("c1");
        callUp("c2");
        final var actions = ledger.probed("c1", true);
        assertEquals(1, actions.size());
        assertEquals("c2", assertInstanceOf(Close.class, actions.getFirst()).connection());
        assertEquals(1, ledger.counters().duplicatesRefused());
        // c1 is still the live session: a later call is probed against it again
        assertEquals(List.of(new Hold<>("c3"), new Probe<>("c1")), callUp("c3"));
    }

    @Test
    void aSessionThatGivesNoSignOfLifeIsReplacedByTheNewcomer() {
        final var entry = register("gw", KEY_A);
        ledger.request(entry, "r1");
        callUp("c1");
        callUp("c2");
        final var actions = ledger.probed("c1", false);
        assertEquals(1, actions.size());
        assertEquals("c1", assertInstanceOf(Close.class, actions.getFirst()).connection());
        assertEquals(1, ledger.counters().deadReplaced());
        // the owner learns of the loss (the close) and asks again: it gets the newcomer at once
        assertEquals(List.of(), ledger.closed("c1"));
        assertEquals(List.of(new HandOver<>("r2", "c2")), ledger.request(entry, "r2"));
    }

    @Test
    void aDeadSessionsNewcomerGoesStraightToAWaitingRequest() {
        final var entry = register("gw", KEY_A);
        ledger.request(entry, "r1");
        callUp("c1");
        callUp("c2");
        // the owner gave up on c1 by itself and asks again while the probe is out
        assertEquals(List.of(), ledger.request(entry, "r2"));
        final var actions = ledger.probed("c1", false);
        assertEquals(List.of(new Close<>("c1", "gateway gw called again and this session gave no sign of life"),
            new HandOver<>("r2", "c2")), actions);
    }

    @Test
    void whenTheLiveSessionEndsAHeldNewcomerGoesToTheWaitingRequest() {
        final var entry = register("gw", KEY_A);
        ledger.request(entry, "r1");
        callUp("c1");
        callUp("c2");
        ledger.request(entry, "r2");
        assertEquals(List.of(new HandOver<>("r2", "c2")), ledger.closed("c1"));
        // the probe's late answer changes nothing
        assertEquals(List.of(), ledger.probed("c1", true));
    }

    @Test
    void aFailedCallTellsTheWaitingOwnerWhy() {
        final var entry = register("gw", KEY_A);
        ledger.request(entry, "r1");
        ledger.identify("c1", KEY_A, "192.0.2.1:40000");
        assertEquals(List.of(new Fail<>("r1", "authentication failed")), ledger.failed("c1", "authentication failed"));
        assertEquals(1, ledger.counters().failed());
        // the request is answered: the next call is held, not handed to it
        assertEquals(List.of(new Hold<>("c2")), callUp("c2"));
    }

    @Test
    void aFailedCallWithNobodyWaitingIsOnlyCounted() {
        register("gw", KEY_A);
        ledger.identify("c1", KEY_A, "192.0.2.1:40000");
        assertEquals(List.of(), ledger.failed("c1", "no hello"));
        assertEquals(1, ledger.counters().failed());
    }

    @Test
    void aNewerRequestReplacesTheOlderOne() {
        final var entry = register("gw", KEY_A);
        ledger.request(entry, "r1");
        assertEquals(List.of(new Fail<>("r1", "replaced by a newer request")), ledger.request(entry, "r2"));
        assertEquals(List.of(new HandOver<>("r2", "c1")), callUp("c1"));
    }

    @Test
    void aWithdrawnRequestGetsNothing() {
        final var entry = register("gw", KEY_A);
        ledger.request(entry, "r1");
        ledger.withdraw(entry, "r1");
        assertEquals(List.of(new Hold<>("c1")), callUp("c1"));
    }

    @Test
    void registeringAgainRetiresTheEarlierRegistration() {
        final var first = register("gw", KEY_A);
        ledger.request(first, "r1");
        final var registered = assertInstanceOf(Registered.Accepted.class, ledger.register("gw", KEY_B,
            CREDENTIALS));
        assertEquals(List.of(new Fail<>("r1", "the registration of gateway gw was replaced")),
            registered.actions());
        // the old key no longer identifies it, the new one does
        assertInstanceOf(Identity.Unknown.class, ledger.identify("c1", KEY_A, "192.0.2.1:40000"));
        assertEquals(new Identity.Known("gw", CREDENTIALS), ledger.identify("c2", KEY_B, "192.0.2.1:40001"));
        // and the old handle asks in vain
        assertInstanceOf(Fail.class, ledger.request(first, "r2").getFirst());
    }

    @Test
    void aCallOfAGatewayThatUnregisteredMeanwhileIsClosed() {
        final var entry = register("gw", KEY_A);
        ledger.identify("c1", KEY_A, "192.0.2.1:40000");
        assertEquals(List.of(), ledger.unregister(entry));
        assertTrue(ledger.isEmpty());
        assertEquals(List.of(new Close<>("c1", "gateway gw no longer calls home")), ledger.up("c1"));
    }

    @Test
    void unregisteringClosesAHeldCallAndFailsTheRequestButLeavesTheLiveSession() {
        final var entry = register("gw", KEY_A);
        ledger.request(entry, "r1");
        callUp("c1");
        callUp("c2");
        final var actions = ledger.unregister(entry);
        assertEquals(List.of(new Close<>("c2", "gateway gw no longer calls home")), actions);
        // c1 is its owner's to close; its end is still accounted for
        assertEquals(List.of(), ledger.closed("c1"));
    }

    @Test
    void rekeyingMustPresentTheSameHostKey() {
        register("gw", KEY_A);
        register("other", KEY_B);
        callUp("c1");
        assertEquals(new Identity.Known("gw", CREDENTIALS), ledger.identify("c1", KEY_A, "192.0.2.1:40000"));
        assertInstanceOf(Identity.Unknown.class, ledger.identify("c1", KEY_B, "192.0.2.1:40000"));
    }

    @Test
    void whenTheListenerCannotListenEveryWaitingRequestFails() {
        final var gw = register("gw", KEY_A);
        final var other = register("other", KEY_B);
        ledger.request(gw, "r1");
        ledger.request(other, "r2");
        assertEquals(2, ledger.failRequests("cannot listen").size());
        assertEquals(List.of(), ledger.failRequests("cannot listen"));
    }
}
