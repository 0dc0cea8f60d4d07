/*
 * Cursusplanning, the location of a group: the list shows the places of the coordinator's own
 * library and its partners; the other libraries' places join the list only when the
 * coordinator ticks "show all locations" (booking.admin.forms.LocationSelect).
 *
 * Without this script every location is in the list. A location chosen from the others (also
 * one sent back with an error on the form) keeps the box ticked, so the choice stays visible.
 */
(function () {
    "use strict";

    function setUp(toggle) {
        var select = document.getElementById(toggle.getAttribute("data-cp-location-toggle"));
        var label = toggle.getAttribute("data-cp-others-label");
        if (!select) {
            return;
        }
        var others = Array.prototype.find.call(select.querySelectorAll("optgroup"), function (group) {
            return group.label === label;
        });
        var checkbox = toggle.querySelector("input[type=checkbox]");
        if (!others || !checkbox) {
            return;
        }
        // Where the group goes back: it is taken out of the list, not hidden, because some
        // browsers still offer hidden options.
        var place = document.createComment("other locations");
        others.parentNode.insertBefore(place, others);

        function show(all) {
            if (all) {
                place.parentNode.insertBefore(others, place.nextSibling);
            } else if (others.parentNode) {
                if (others.contains(select.options[select.selectedIndex])) {
                    select.value = "";
                }
                others.parentNode.removeChild(others);
            }
        }

        checkbox.checked = others.contains(select.options[select.selectedIndex]);
        show(checkbox.checked);
        checkbox.addEventListener("change", function () {
            show(checkbox.checked);
        });
        toggle.hidden = false;
    }

    function start() {
        document.querySelectorAll("[data-cp-location-toggle]").forEach(setUp);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
