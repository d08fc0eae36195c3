package io.holdfast.web;

import io.holdfast.betting.BetView;
import io.holdfast.odds.Views;
import io.quarkus.qute.TemplateData;

/** Types the shared (untyped) template parts read, so Qute generates their value resolvers at build time. */
@TemplateData(target = Views.EventView.class)
@TemplateData(target = Views.MarketView.class)
@TemplateData(target = Views.SelectionView.class)
@TemplateData(target = BetView.class)
@TemplateData(target = BetView.Leg.class)
@TemplateData(target = BetRows.BetRow.class)
@TemplateData(target = BetRows.LegRow.class)
@TemplateData(target = EventBoard.EventCard.class)
@TemplateData(target = EventBoard.CompetitionGroup.class)
@TemplateData(target = EventBoard.SportGroup.class)
@TemplateData(target = EventBoard.MarketGroup.class)
@TemplateData(target = Views.SportView.class)
@TemplateData(target = Views.CompetitionView.class)
final class TemplateTypes {

    private TemplateTypes() {
    }
}
