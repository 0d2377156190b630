/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yangtools.concepts.Registration;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connected switches: admits each connection after its handshake (the claims decide which gateway it serves,
 * and whether its certificate may claim that datapath at all), keeps exactly one connection per datapath, rebinds
 * the connections when the gateways change, and tells the listeners. A live connection keeps its datapath: a second
 * connection claiming it is refused and counted, and the live one must answer an echo or go (a restarted switch then
 * gets its datapath back on its next attempt, an impostor never gets it). No Netty here but the connections'
 * executors; the endpoint owns the sockets.
 */
final class SwitchHub implements OpenFlowSwitches, Connection.Hub {
    /**
     * Where the state of the switches goes ({@code pcp-gateway:switches}).
     */
    interface StateSink {
        /** Connected, or its binding changed. */
        void changed(Connection connection);

        /** Gone. */
        void gone(Connection connection);
    }

    private static final Logger LOG = LoggerFactory.getLogger(SwitchHub.class);
    private static final StateSink NO_STATE = new StateSink() {
        @Override
        public void changed(final Connection connection) {
            // nothing published
        }

        @Override
        public void gone(final Connection connection) {
            // nothing published
        }
    };

    private final CopyOnWriteArrayList<SwitchListener> listeners = new CopyOnWriteArrayList<>();
    /** Admitted connections by datapath id (colon form). */
    private final ConcurrentHashMap<String, Connection> live = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private volatile Claims claims = Claims.NONE;
    private volatile Connection.Settings settings;
    private volatile StateSink state = NO_STATE;

    SwitchHub(final Connection.Settings settings, final LongSupplier nanoTime) {
        this.settings = requireNonNull(settings);
        this.nanoTime = requireNonNull(nanoTime);
    }

    /** A new connection's handler. */
    Connection newConnection() {
        return new Connection(this, nanoTime);
    }

    /**
     * Forgets every claim: the registry tells a new subscription of every gateway again.
     */
    void resetClaims() {
        claims = Claims.NONE;
    }

    void setState(final StateSink sink) {
        state = requireNonNull(sink);
    }

    void setSettings(final Connection.Settings newSettings) {
        settings = requireNonNull(newSettings);
    }

    @Override
    public Connection.Settings settings() {
        return settings;
    }

    @Override
    public List<SwitchListener> listeners() {
        return listeners;
    }

    List<Connection> connections() {
        return List.copyOf(live.values());
    }

    @Override
    public void handshaken(final Connection connection) {
        final var datapath = connection.datapathId().toString();
        final var admission = claims.admit(datapath, connection.peerCertificateSha256());
        switch (admission) {
            case Claims.Admission.Refused refused -> connection.refuse(refused.reason());
            case Claims.Admission.Admitted admitted -> {
                final var holder = live.putIfAbsent(datapath, connection);
                if (holder != null && holder != connection) {
                    if (holder.isConnected() || !live.replace(datapath, holder, connection)) {
                        // a live, proven connection is never evicted by a claim; it must answer an echo instead
                        holder.claimedByAnother();
                        connection.refuse("datapath " + datapath + " is held by the live connection from "
                            + holder.remoteAddress());
                        return;
                    }
                }
                connection.admit(admitted.binding());
                if (admitted.binding() == null) {
                    LOG.warn("OpenFlow switch {} belongs to no gateway: connected, not served", datapath);
                }
                state.changed(connection);
            }
        }
    }

    @Override
    public void closed(final Connection connection) {
        if (live.remove(connection.datapathId().toString(), connection)) {
            state.gone(connection);
        }
    }

    /**
     * Follows the gateways: their {@code openflow} sections decide which switch serves which gateway. On the
     * registry's thread.
     */
    void viewsChanged(final List<GatewayRegistry.ViewChange> changes) {
        var updated = claims;
        for (var change : changes) {
            if (change.changed(GatewayView::openflow)) {
                final var after = change.after();
                updated = updated.with(change.gatewayId(), after == null ? null : after.openflow());
            }
        }
        if (updated == claims) {
            return;
        }
        final var now = updated;
        claims = now;
        for (var connection : live.values()) {
            connection.execute(() -> recheck(connection, now));
        }
    }

    // On the connection's event loop.
    private void recheck(final Connection connection, final Claims now) {
        if (!connection.isConnected()) {
            return;
        }
        switch (now.admit(connection.datapathId().toString(), connection.peerCertificateSha256())) {
            case Claims.Admission.Refused refused -> connection.refuse(refused.reason());
            case Claims.Admission.Admitted admitted -> {
                if (!java.util.Objects.equals(admitted.binding(), connection.binding())) {
                    connection.rebind(admitted.binding());
                    state.changed(connection);
                }
            }
        }
    }

    @Override
    public Registration subscribe(final SwitchListener listener) {
        listeners.add(requireNonNull(listener));
        for (var connection : live.values()) {
            connection.execute(() -> connection.tell(listener));
        }
        return () -> {
            listeners.remove(listener);
            for (var connection : live.values()) {
                connection.execute(() -> connection.forget(listener));
            }
        };
    }

    @Override
    public List<SwitchConnection> switchesOf(final String gateway) {
        return live.values().stream()
            .filter(connection -> isOf(connection.binding(), gateway) && connection.isConnected())
            .map(SwitchConnection.class::cast)
            .toList();
    }

    private static boolean isOf(final @Nullable SwitchBinding binding, final String gateway) {
        return binding != null && binding.gateway().equals(gateway);
    }

    /**
     * Closes every connection.
     */
    void closeAll() {
        live.values().forEach(Connection::close);
    }
}
