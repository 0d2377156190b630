/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.store.StoredEntries.StoredEpoch;

/**
 * What one transaction of the store writes below {@code /mappings}: by this the commit cohort knows the store's own
 * transaction from anyone else's.
 *
 * @param mappings each mapping written, or empty where it is deleted
 * @param epochs each gateway's epoch written, or empty where it is deleted
 * @param deletedGateways the gateways whose whole entry is deleted
 */
record Written(Map<MappingKey, Optional<Mapping>> mappings, Map<String, Optional<StoredEpoch>> epochs,
        Set<String> deletedGateways) {
    static final Written NOTHING = new Written(Map.of(), Map.of(), Set.of());

    Written {
        mappings = Map.copyOf(mappings);
        epochs = Map.copyOf(epochs);
        deletedGateways = Set.copyOf(deletedGateways);
    }
}
