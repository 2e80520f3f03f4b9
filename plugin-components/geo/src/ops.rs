//! Per-geometry measures, all from the `geo` crate, with GeoArrow's conventions for empties: an
//! empty geometry (or a point of NaN coordinates) has no bounds and no centroid, and zero area and
//! length.

use geo::{Area, BoundingRect, Centroid, Euclidean, Geometry, Length, Point, Polygon, Rect};

/// The bounding box; `None` for an empty geometry.
pub fn bounds(g: &Geometry) -> Option<Rect> {
    let r = g.bounding_rect()?;
    let finite = [r.min().x, r.min().y, r.max().x, r.max().y].iter().all(|v| v.is_finite());
    finite.then_some(r)
}

/// The planar area (zero for points and lines).
pub fn area(g: &Geometry) -> f64 {
    if bounds(g).is_none() { 0.0 } else { g.unsigned_area() }
}

fn perimeter(p: &Polygon) -> f64 {
    std::iter::once(p.exterior()).chain(p.interiors()).map(|r| Euclidean.length(r)).sum()
}

/// The length: lines' lengths, polygons' perimeters with their holes, zero for points (as
/// shapely's `length`).
pub fn length(g: &Geometry) -> f64 {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => 0.0,
        Geometry::Line(l) => Euclidean.length(l),
        Geometry::LineString(l) => Euclidean.length(l),
        Geometry::MultiLineString(m) => Euclidean.length(m),
        Geometry::Polygon(p) => perimeter(p),
        Geometry::MultiPolygon(m) => m.0.iter().map(perimeter).sum(),
        Geometry::Rect(r) => perimeter(&r.to_polygon()),
        Geometry::Triangle(t) => perimeter(&t.to_polygon()),
        Geometry::GeometryCollection(c) => c.0.iter().map(length).sum(),
    }
}

/// The centroid of the geometry's highest-dimension parts; `None` for an empty geometry.
pub fn centroid(g: &Geometry) -> Option<Point> {
    bounds(g)?;
    g.centroid()
}

/// Whether two boxes intersect, edges touching included.
pub fn intersects(a: &Rect, b: &Rect) -> bool {
    a.min().x <= b.max().x && b.min().x <= a.max().x && a.min().y <= b.max().y && b.min().y <= a.max().y
}

/// The union of boxes.
pub fn union(a: Option<Rect>, b: Rect) -> Rect {
    match a {
        None => b,
        Some(a) => Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use geo::{LineString, MultiPoint, polygon};

    #[test]
    fn measures_of_hand_checked_shapes() {
        // A 4×3 rectangle with a 1×1 hole.
        let p = Geometry::Polygon(polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 3.), (x: 0., y: 3.), (x: 0., y: 0.)],
            interiors: [[(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.), (x: 1., y: 2.), (x: 1., y: 1.)]],
        ));
        assert_eq!(area(&p), 11.0);
        assert_eq!(length(&p), 14.0 + 4.0);
        let b = bounds(&p).unwrap();
        assert_eq!((b.min().x, b.min().y, b.max().x, b.max().y), (0., 0., 4., 3.));
        let line = Geometry::LineString(LineString::from(vec![(0., 0.), (3., 4.), (3., 10.)]));
        assert_eq!((length(&line), area(&line)), (11.0, 0.0));
        assert_eq!(centroid(&line).map(|c| c.x()), Some((1.5 * 5.0 + 3.0 * 6.0) / 11.0));
        let empty = Geometry::MultiPoint(MultiPoint(vec![]));
        assert_eq!((bounds(&empty), centroid(&empty), area(&empty)), (None, None, 0.0));
        let nan = Geometry::Point(Point::new(f64::NAN, f64::NAN));
        assert_eq!((bounds(&nan), centroid(&nan)), (None, None));
        let r = |a: f64, b: f64, c: f64, d: f64| Rect::new(geo::coord! {x: a, y: b}, geo::coord! {x: c, y: d});
        assert!(intersects(&r(0., 0., 1., 1.), &r(1., 1., 2., 2.)), "touching corners");
        assert!(!intersects(&r(0., 0., 1., 1.), &r(1.01, 0., 2., 1.)));
    }
}
