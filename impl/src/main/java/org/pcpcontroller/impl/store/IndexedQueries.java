/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.MappingKey.InternalEndpoint;
import org.pcpcontroller.api.net.IpPrefix;
import org.pcpcontroller.api.net.PortRange;

/**
 * The queries of a {@link MappingStore}, answered from its {@link MappingTable} under the store's lock (its monitor,
 * which its changes hold too). One place for the store and for the benchmark's store without a datastore, so that
 * what the allocation benchmark measures is what the product runs.
 */
abstract class IndexedQueries implements MappingStore {
    // guarded by this
    final MappingTable table = new MappingTable();

    @Override
    public final synchronized Optional<Mapping> get(final MappingKey key) {
        return table.get(key);
    }

    @Override
    public final synchronized int count(final String gateway) {
        return table.size(gateway);
    }

    @Override
    public final synchronized int countAll() {
        return table.total();
    }

    @Override
    public final synchronized int countForClient(final String gateway, final IpPrefix client) {
        return table.countForInternalPrefix(gateway, client);
    }

    @Override
    public final synchronized List<Mapping> mappings(final String gateway) {
        return table.mappings(gateway);
    }

    @Override
    public final synchronized List<Mapping> mappingsOf(final String gateway, final InetAddress internal) {
        return table.mappingsOf(gateway, internal);
    }

    @Override
    public final synchronized @Nullable InternalEndpoint conflictingOwner(final ExternalEndpoint external,
            final InternalEndpoint owner) {
        return table.conflictingOwner(external, owner);
    }

    @Override
    public final synchronized OptionalInt nextFreePort(final String gateway, final InetAddress externalAddress,
            final int protocol, final PortRange range, final int from) {
        return table.nextFreePort(gateway, externalAddress, protocol, range, from);
    }
}
