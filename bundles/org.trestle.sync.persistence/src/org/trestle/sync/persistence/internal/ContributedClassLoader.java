package org.trestle.sync.persistence.internal;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The class loader of a persistence unit whose entities come from several bundles: it
 * asks the bundles that contributed entity classes first, then EclipseLink's own
 * bundle, so that EclipseLink can load both entity classes and its own.
 */
final class ContributedClassLoader extends ClassLoader {

    private final List<ClassLoader> contributors;

    ContributedClassLoader(List<Class<?>> entityClasses, ClassLoader provider) {
        super(provider);
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        for (Class<?> type : entityClasses) {
            loaders.add(type.getClassLoader());
        }
        loaders.remove(provider);
        contributors = List.copyOf(loaders);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        for (ClassLoader loader : contributors) {
            try {
                return loader.loadClass(name);
            } catch (ClassNotFoundException e) {
                // try the next contributor
            }
        }
        throw new ClassNotFoundException(name);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        for (ClassLoader loader : contributors) {
            try {
                return loader.loadClass(name);
            } catch (ClassNotFoundException e) {
                // try the next one, then the provider
            }
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected URL findResource(String name) {
        for (ClassLoader loader : contributors) {
            URL url = loader.getResource(name);
            if (url != null) {
                return url;
            }
        }
        return null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (ClassLoader loader : contributors) {
            urls.addAll(Collections.list(loader.getResources(name)));
        }
        return Collections.enumeration(urls);
    }
}
