/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yangtools.concepts.Registration;

/**
 * The gateways as configured, each parsed once into its {@link GatewayView}: those that can be served, why the
 * others cannot, and the changes of the views for every stage that follows them. The registry also owns each
 * gateway's operational state and writes it in order, so that the stages publish their part of it through here.
 */
public interface GatewayRegistry {
    /**
     * The view of a gateway whose configuration is valid, whether enabled or not.
     */
    Optional<GatewayView> lookup(String gatewayId);

    /**
     * Why a configured gateway cannot be served; empty if it can, or if it is not configured.
     */
    List<String> problems(String gatewayId);

    /**
     * The start of a gateway's current PCP epoch (RFC 6887 section 8.5), once it is known.
     */
    Optional<Instant> epochOrigin(String gatewayId);

    /**
     * Registers a listener told whenever the epoch of a gateway starts anew: its clients' state is lost or its
     * external address changed, and they must be told (RFC 6887 section 14.1.3).
     */
    Registration addEpochListener(EpochListener listener);

    /**
     * Follows the views. The listener is first told of every gateway served now (as added), then of every change,
     * in order, on one thread of the registry's; it must hand long work to its own executor.
     */
    Registration subscribe(ViewListener listener);

    /**
     * Publishes the state of a gateway's NETCONF session in its {@code state/netconf}.
     *
     * @param state the session state, or null when the gateway no longer has a NETCONF configuration
     */
    void publishNetconfState(String gatewayId, org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway
        .rev261123.gateways.gateway.state.@Nullable Netconf state);

    /**
     * Publishes how far one renderer has put a gateway's mappings into effect, in its {@code state/renderer}.
     *
     * @param summary the counts, or null when the renderer no longer renders the gateway
     */
    void publishRenderSummary(String gatewayId, Renderer renderer, @Nullable RenderSummary summary);

    /**
     * Told when a gateway's epoch starts anew.
     */
    @FunctionalInterface
    interface EpochListener {
        void epochStarted(String gatewayId, Instant origin);
    }

    /**
     * Told of changed views, in order.
     */
    @FunctionalInterface
    interface ViewListener {
        void viewsChanged(List<ViewChange> changes);
    }

    /**
     * One gateway's view before and after a change: before is null for a gateway that starts being served, after is
     * null for one that stops (deleted, or its configuration became invalid).
     */
    record ViewChange(String gatewayId, @Nullable GatewayView before, @Nullable GatewayView after) {
        public ViewChange {
            requireNonNull(gatewayId);
        }

        /**
         * Whether one section of the view differs between before and after (a gateway that comes or goes changes
         * every section it has).
         */
        public boolean changed(final Function<GatewayView, ?> section) {
            return !Objects.equals(before == null ? null : section.apply(before),
                after == null ? null : section.apply(after));
        }
    }
}
