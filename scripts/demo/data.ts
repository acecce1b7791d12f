/** Raw material for a believable German-speaking demo network. */
export const FIRST_NAMES = [
  'Anna', 'Markus', 'Sabine', 'Thomas', 'Julia', 'Stefan', 'Katrin', 'Michael', 'Lena', 'Andreas', 'Sandra',
  'Tobias', 'Nicole', 'Florian', 'Melanie', 'Christian', 'Birgit', 'Daniel', 'Petra', 'Jan', 'Claudia',
  'Sebastian', 'Monika', 'Matthias', 'Sarah', 'Alexander', 'Laura', 'Patrick', 'Ute', 'Felix', 'Heike',
  'Lukas', 'Susanne', 'Jonas', 'Karin', 'Maximilian', 'Nadine', 'Benjamin', 'Jana', 'Simon', 'Tanja',
  'Philipp', 'Martina', 'Dominik', 'Sophie', 'Kevin', 'Carina', 'René', 'Elke', 'Niklas', 'Yvonne',
  'Moritz', 'Verena', 'Fabian', 'Doris', 'Leon', 'Anja', 'Paul', 'Gabriele', 'Emil', 'Miriam',
]
export const LAST_NAMES = [
  'Berger', 'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz',
  'Hoffmann', 'Koch', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun',
  'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt', 'Werner', 'Krause', 'Meier', 'Lehmann', 'Huber',
  'Gruber', 'Bauer', 'Steiner', 'Moser', 'Maier', 'Brunner', 'Keller', 'Frei', 'Baumann', 'Lang',
]
export const CITIES = [
  'Berlin', 'Hamburg', 'München', 'Köln', 'Frankfurt am Main', 'Stuttgart', 'Düsseldorf', 'Leipzig',
  'Dresden', 'Nürnberg', 'Hannover', 'Bremen', 'Freiburg', 'Regensburg', 'Augsburg', 'Münster',
  'Wien', 'Graz', 'Linz', 'Salzburg', 'Innsbruck', 'Zürich', 'Bern', 'Basel', 'Luzern', 'St. Gallen',
]
export const TOPICS = [
  'Naturkosmetik', 'Nahrungsergänzung', 'Wellness', 'Aloe-Vera-Pflege', 'Haushaltsreiniger ohne Chemie',
  'Küchenhelfer', 'Schmuck', 'Tee und Kräuter', 'Sportnahrung', 'Hautpflege', 'Duftöle', 'Bio-Kaffee',
]
export const PARTNER_BIOS = [
  'Ich begleite seit {years} Jahren Menschen rund um **{topic}**. Mir ist ehrliche Beratung wichtiger als schnelle Verkäufe.',
  'Mama von zwei Kindern, Networkerin aus Überzeugung. Bei mir dreht sich vieles um **{topic}** – frag mich gern!',
  'Früher Bürojob, heute selbstständig im Nebenberuf. Ich zeige dir, wie ein Team mit Herz funktioniert. Schwerpunkt: {topic}.',
  'Ich liebe es, neue Partner einzuarbeiten: Schritt für Schritt, ohne Druck. Mein Thema: **{topic}**.',
  'Teamleiter aus {city}. Wir treffen uns jeden Donnerstag zur Schulung – online und vor Ort.',
]
export const CUSTOMER_BIOS = [
  'Begeisterte Kundin – vor allem {topic} hat mich überzeugt.',
  'Ich kaufe gern bei Menschen, die ich kenne. {topic} gehört bei mir zum Alltag.',
  '',
]
