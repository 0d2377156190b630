/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Consumer;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.yangtools.concepts.Registration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link MappingFeed} of the configuration datastore. Each subscription is a DOM tree-change listener of its own,
 * so that it starts with the stored mappings and then follows every commit without a gap; its filter looks at the
 * DOM nodes before anything is converted ({@link MappingChanges}).
 */
@Component(service = MappingFeed.class)
public final class DomMappingFeed implements MappingFeed {
    private final DOMDataBroker broker;

    @Activate
    public DomMappingFeed(@Reference final DOMDataBroker broker) {
        this.broker = requireNonNull(broker);
    }

    @Override
    public Registration subscribe(final MappingChanges.Filter filter,
            final Consumer<List<MappingChanges.Change>> listener) {
        return MappingChanges.register(broker, filter, listener);
    }
}
