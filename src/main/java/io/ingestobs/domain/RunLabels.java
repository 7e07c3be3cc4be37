package io.ingestobs.domain;

/** The labels a run is counted under in Prometheus (SPEC §4). */
public record RunLabels(String source, String etat, String objet, String entreprise, String zone) {

    public static RunLabels of(IngestionEvent event) {
        return new RunLabels(event.source(), event.etat(), event.objet(), event.entreprise(), event.zone());
    }
}
