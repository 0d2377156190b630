/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which gateway claims which datapath, from the gateways' {@code openflow} sections, and whether a connection may
 * take a datapath it reports: a switch is trusted with a gateway only as far as the gateway's configuration says
 * (with {@code certificate-sha256}, only over TLS with one of those certificates). Immutable.
 */
final class Claims {
    private static final Logger LOG = LoggerFactory.getLogger(Claims.class);
    static final Claims NONE = new Claims(Map.of());

    /**
     * Whether a connection may hold the datapath it reported.
     */
    sealed interface Admission {
        /**
         * It may: serving this gateway, or none when no gateway claims the datapath (connected and shown, not
         * served).
         */
        record Admitted(@Nullable SwitchBinding binding) implements Admission {
        }

        /**
         * It may not: closed.
         */
        record Refused(String reason) implements Admission {
            public Refused {
                requireNonNull(reason);
            }
        }
    }

    /** By gateway id, sorted: when two gateways claim one datapath, the first id keeps it, whatever the order. */
    private final TreeMap<String, GatewayView.OpenFlow> gateways;
    private final Map<String, SwitchBinding> byDatapath;

    private Claims(final Map<String, GatewayView.OpenFlow> gateways) {
        this.gateways = new TreeMap<>(gateways);
        final var claimed = new HashMap<String, SwitchBinding>();
        this.gateways.forEach((gateway, openflow) -> {
            for (var datapath : openflow.datapathIds()) {
                final var previous = claimed.putIfAbsent(datapath, new SwitchBinding(gateway, openflow));
                if (previous != null) {
                    LOG.warn("Datapath {} is claimed by gateway {} and gateway {}; it serves {}", datapath,
                        previous.gateway(), gateway, previous.gateway());
                }
            }
        });
        byDatapath = Map.copyOf(claimed);
    }

    /**
     * The claims after a gateway's {@code openflow} section changed (null: the gateway went).
     */
    Claims with(final String gateway, final GatewayView.@Nullable OpenFlow openflow) {
        final var changed = new HashMap<>(gateways);
        if (openflow == null || openflow.datapathIds().isEmpty()) {
            changed.remove(gateway);
        } else {
            changed.put(gateway, openflow);
        }
        return new Claims(changed);
    }

    /**
     * The gateway that claims a datapath (colon form), or null.
     */
    @Nullable SwitchBinding bindingOf(final String datapath) {
        return byDatapath.get(datapath);
    }

    /**
     * Whether a connection that reported this datapath may hold it.
     *
     * @param certificateSha256 the fingerprint of the certificate it presented over TLS, or null
     */
    Admission admit(final String datapath, final @Nullable String certificateSha256) {
        final var binding = byDatapath.get(datapath);
        if (binding == null) {
            return new Admission.Admitted(null);
        }
        final List<String> allowed = binding.openflow().certificateSha256();
        if (allowed.isEmpty()) {
            return new Admission.Admitted(binding);
        }
        if (certificateSha256 == null) {
            return new Admission.Refused("gateway " + binding.gateway() + " accepts datapath " + datapath
                + " only over TLS with one of its certificate-sha256, and the switch presented no certificate");
        }
        if (!allowed.contains(certificateSha256)) {
            return new Admission.Refused("the certificate " + certificateSha256 + " is not one of gateway "
                + binding.gateway() + "'s certificate-sha256");
        }
        return new Admission.Admitted(binding);
    }
}
