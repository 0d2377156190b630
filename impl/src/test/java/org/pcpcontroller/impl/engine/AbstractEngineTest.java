/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;

/**
 * A fresh engine on a fresh in-memory datastore for every test, with the default gateway of {@link EngineFixture}.
 */
abstract class AbstractEngineTest extends AbstractDataBrokerTest {
    EngineFixture fixture;

    @BeforeEach
    final void startEngine() throws Exception {
        setup();
        fixture = new EngineFixture(getDataBroker(), getDomBroker(), policy -> { });
    }

    @AfterEach
    final void stopEngine() {
        fixture.close();
    }
}
