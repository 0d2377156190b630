/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import java.util.List;
import java.util.function.Consumer;
import org.opendaylight.yangtools.concepts.Registration;

/**
 * The changes of the stored mappings, whoever made them (clients, operators, expiry): what the renderers follow.
 */
public interface MappingFeed {
    /**
     * Follows the mappings. The listener gets the changes its filter lets through, in commit order, starting with
     * the mappings stored at subscription; never an empty list. It is called on a thread of the feed's and must hand
     * long work to its own executor.
     */
    Registration subscribe(MappingChanges.Filter filter, Consumer<List<MappingChanges.Change>> listener);
}
