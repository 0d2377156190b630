/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opendaylight.netconf.shaded.sshd.client.ClientBuilder;
import org.opendaylight.netconf.shaded.sshd.common.BaseBuilder;
import org.opendaylight.netconf.shaded.sshd.common.kex.KeyExchangeFactory;

/**
 * The renderer's SSH client proposes ML-KEM-768 + X25519 first and keeps every other key exchange in its order.
 */
class NetconfTransportKexTest {
    @Test
    void mlKemComesFirstAndNothingIsLost() {
        final List<KeyExchangeFactory> defaults = BaseBuilder.DEFAULT_KEX_PREFERENCE.stream()
            .map(ClientBuilder.DH2KEX)
            .toList();
        final var names = defaults.stream().map(KeyExchangeFactory::getName).toList();
        final var preferred = NetconfTransport.preferMlKem(defaults).stream().map(KeyExchangeFactory::getName).toList();

        assertEquals(NetconfTransport.PREFERRED_KEX, preferred.getFirst());
        assertEquals(names.stream().filter(name -> !name.equals(NetconfTransport.PREFERRED_KEX)).toList(),
            preferred.subList(1, preferred.size()));
    }

    @Test
    void withoutMlKemTheOrderStays() {
        final List<KeyExchangeFactory> defaults = BaseBuilder.DEFAULT_KEX_PREFERENCE.stream()
            .map(ClientBuilder.DH2KEX)
            .filter(factory -> !factory.getName().equals(NetconfTransport.PREFERRED_KEX))
            .toList();
        assertEquals(defaults, NetconfTransport.preferMlKem(defaults));
    }
}
