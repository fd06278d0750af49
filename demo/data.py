"""Hand-written reference lists that make demo profiles look like real people.

Names follow common US first and last names; each city carries a real ZIP code, its
coordinates and its real telephone area codes, so a profile's address, location,
districts and phone number agree with each other. Phone numbers use the 555
exchange: valid to `phonenumbers`, yet never a real subscriber's number, so demo data
can be messaged through a real gateway without reaching anyone.
"""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Dorothy Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia "
    "Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma "
    "Larry Anna Justin Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel "
    "Christine Gregory Helen Alexander Debra Patrick Rachel Frank Carolyn Raymond Janet "
    "Jack Maria Dennis Catherine Jerry Heather Tyler Diane Aaron Olivia Jose Julie Adam "
    "Joyce Nathan Victoria Henry Ruth Zachary Virginia Douglas Lauren Peter Kelly Kyle "
    "Christina Noah Joan Ethan Evelyn Jeremy Judith Walter Andrea Christian Hannah Keith "
    "Megan Roger Cheryl Terry Jacqueline Austin Martha Sean Madison Gerald Teresa Carl "
    "Gloria Harold Sara Dylan Janice Arthur Ann Lawrence Kathryn Jordan Abigail Jesse "
    "Sophia Bryan Frances Billy Jean Bruce Alice Gabriel Judy Joe Isabella Logan Julia "
    "Alan Grace Juan Amber Albert Denise Willie Danielle Elijah Marilyn Wayne Beverly "
    "Randy Charlotte Vincent Natalie Mason Theresa Roy Diana Ralph Brittany Bobby Doris "
    "Russell Kayla Bradley Alexis Philip Lori Eugene Marie Luis Rosa Carlos Ana Miguel "
    "Lucia Jamal Aaliyah DeShawn Imani Malik Keisha Hiroshi Mei Wei Priya Arjun Fatima "
    "Omar Leila Tran Minh Nguyen Linh Kwame Ama Diego Camila Mateo Valentina Santiago "
    "Ximena Andre Yolanda Tyrone Ebony Marcus Jasmine Darnell Tanisha"
)

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright "
    "Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell "
    "Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes "
    "Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson "
    "Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood "
    "James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers "
    "Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander "
    "Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson "
    "Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez "
    "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman "
    "Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason "
    "Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar "
    "Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto "
    "Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez "
    "Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson "
    "Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston "
    "Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Okafor Osei Singh "
    "Shah Wang Zhang Liu Yamamoto Tanaka Park Choi O'Brien O'Connor Kowalski Nowak Rossi "
    "Russo Cohen Levy Friedman Goldberg Novak Jensen Larsen Lindqvist Haddad Nasser Khan"
)

EMAIL_DOMAINS = (
    ("gmail.com", 46),
    ("yahoo.com", 14),
    ("hotmail.com", 8),
    ("outlook.com", 7),
    ("icloud.com", 8),
    ("aol.com", 4),
    ("comcast.net", 3),
    ("protonmail.com", 2),
    ("example.org", 8),
)

STREET_NAMES = (
    "Main St",
    "Oak St",
    "Maple Ave",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Washington Ave",
    "Lake St",
    "Hill Rd",
    "Park Ave",
    "Walnut St",
    "Church St",
    "Broadway",
    "Highland Ave",
    "Sunset Blvd",
    "Lincoln Ave",
    "Jackson St",
    "Franklin St",
    "Jefferson Ave",
    "Madison Ave",
    "Chestnut St",
    "Spruce St",
    "Willow Way",
    "Ridge Rd",
    "River Rd",
    "Meadow Ln",
    "Forest Dr",
    "Center St",
    "Market St",
    "Union St",
    "Mill St",
    "Spring St",
    "Grove St",
    "Prospect Ave",
    "Bedford Ave",
    "Mission St",
    "Valencia St",
    "Peachtree St",
    "Magnolia Dr",
    "Bayview Ave",
    "Harbor Blvd",
    "Canyon Rd",
    "Desert View Dr",
    "Mountain View Rd",
    "College Ave",
    "University Ave",
)
UNIT_PREFIXES = ("Apt", "Unit", "Suite", "#")

# 2020 apportionment: (House seats, state senate seats, state house seats).
# Nebraska's legislature is unicameral and DC has a council, so they have no lower house.
STATE_SEATS = {
    "AL": (7, 35, 105), "AK": (1, 20, 40), "AZ": (9, 30, 60), "AR": (4, 35, 100),
    "CA": (52, 40, 80), "CO": (8, 35, 65), "CT": (5, 36, 151), "DE": (1, 21, 41),
    "DC": (1, 8, 0), "FL": (28, 40, 120), "GA": (14, 56, 180), "HI": (2, 25, 51),
    "ID": (2, 35, 70), "IL": (17, 59, 118), "IN": (9, 50, 100), "IA": (4, 50, 100),
    "KS": (4, 40, 125), "KY": (6, 38, 100), "LA": (6, 39, 105), "ME": (2, 35, 151),
    "MD": (8, 47, 141), "MA": (9, 40, 160), "MI": (13, 38, 110), "MN": (8, 67, 134),
    "MS": (4, 52, 122), "MO": (8, 34, 163), "MT": (2, 50, 100), "NE": (3, 49, 0),
    "NV": (4, 21, 42), "NH": (2, 24, 400), "NJ": (12, 40, 80), "NM": (3, 42, 70),
    "NY": (26, 63, 150), "NC": (14, 50, 120), "ND": (1, 47, 94), "OH": (15, 33, 99),
    "OK": (5, 48, 101), "OR": (6, 30, 60), "PA": (17, 50, 203), "RI": (2, 38, 75),
    "SC": (7, 46, 124), "SD": (1, 35, 70), "TN": (9, 33, 99), "TX": (38, 31, 150),
    "UT": (4, 29, 75), "VT": (1, 30, 150), "VA": (11, 40, 100), "WA": (10, 49, 98),
    "WV": (2, 34, 100), "WI": (8, 33, 99), "WY": (1, 31, 62),
}  # fmt: skip

STATE_TIMEZONES = {
    "America/New_York": "CT DC DE FL GA IN KY MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV",
    "America/Chicago": "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI",
    "America/Denver": "CO MT NM UT WY",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA ID",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
}
TIMEZONE_OF_STATE = {
    state: zone for zone, states in STATE_TIMEZONES.items() for state in states.split()
}

# (city, state, ZIP, latitude, longitude, area codes, relative population weight)
CITIES = (
    ("New York", "NY", "10001", 40.750742, -73.99653, ("212", "646", "917", "332"), 40),
    ("Brooklyn", "NY", "11222", 40.728088, -73.955134, ("718", "347", "929"), 30),
    ("Buffalo", "NY", "14201", 42.896104, -78.885867, ("716",), 5),
    ("Rochester", "NY", "14604", 43.157285, -77.604459, ("585",), 4),
    ("Albany", "NY", "12207", 42.652855, -73.757007, ("518",), 3),
    ("Syracuse", "NY", "13202", 43.040988, -76.148856, ("315", "680"), 3),
    ("Long Island", "NY", "11550", 40.701363, -73.621534, ("516", "631", "934"), 8),
    ("Los Angeles", "CA", "90012", 34.065975, -118.238642, ("213", "323", "310", "424"), 32),
    ("San Francisco", "CA", "94110", 37.748730, -122.415419, ("415", "628"), 10),
    ("Oakland", "CA", "94612", 37.808467, -122.268870, ("510", "341"), 6),
    ("San Diego", "CA", "92101", 32.719920, -117.162570, ("619", "858"), 12),
    ("San Jose", "CA", "95113", 37.333714, -121.890381, ("408", "669"), 9),
    ("Sacramento", "CA", "95814", 38.580460, -121.494400, ("916", "279"), 6),
    ("Fresno", "CA", "93721", 36.732550, -119.784510, ("559",), 5),
    ("Long Beach", "CA", "90802", 33.767390, -118.192400, ("562",), 5),
    ("Riverside", "CA", "92501", 33.993000, -117.373000, ("951",), 5),
    ("Santa Ana", "CA", "92701", 33.748000, -117.858000, ("714", "657"), 5),
    ("Chicago", "IL", "60607", 41.874920, -87.653530, ("312", "773", "872"), 24),
    ("Evanston", "IL", "60201", 42.054000, -87.694000, ("847", "224"), 4),
    ("Springfield", "IL", "62701", 39.799000, -89.650000, ("217",), 2),
    ("Houston", "TX", "77002", 29.756845, -95.365652, ("713", "281", "832", "346"), 20),
    ("Dallas", "TX", "75201", 32.787800, -96.799900, ("214", "469", "972"), 16),
    ("Austin", "TX", "78701", 30.271000, -97.742000, ("512", "737"), 10),
    ("San Antonio", "TX", "78205", 29.424000, -98.489000, ("210", "726"), 12),
    ("El Paso", "TX", "79901", 31.759000, -106.487000, ("915",), 5),
    ("Fort Worth", "TX", "76102", 32.754000, -97.330000, ("817", "682"), 7),
    ("Phoenix", "AZ", "85004", 33.451000, -112.068000, ("602", "480", "623"), 14),
    ("Tucson", "AZ", "85701", 32.217000, -110.970000, ("520",), 5),
    ("Philadelphia", "PA", "19107", 39.951000, -75.159000, ("215", "267", "445"), 14),
    ("Pittsburgh", "PA", "15222", 40.447000, -79.992000, ("412", "878"), 6),
    ("Harrisburg", "PA", "17101", 40.262000, -76.882000, ("717", "223"), 3),
    ("Allentown", "PA", "18101", 40.603000, -75.470000, ("610", "484"), 4),
    ("Jacksonville", "FL", "32202", 30.329000, -81.655000, ("904",), 7),
    ("Miami", "FL", "33130", 25.766000, -80.204000, ("305", "786"), 14),
    ("Tampa", "FL", "33602", 27.951000, -82.457000, ("813", "656"), 8),
    ("Orlando", "FL", "32801", 28.542000, -81.379000, ("407", "689"), 8),
    ("Fort Lauderdale", "FL", "33301", 26.121000, -80.128000, ("954", "754"), 6),
    ("Tallahassee", "FL", "32301", 30.428000, -84.259000, ("850",), 3),
    ("Columbus", "OH", "43215", 39.967000, -83.006000, ("614", "380"), 8),
    ("Cleveland", "OH", "44113", 41.485000, -81.697000, ("216",), 6),
    ("Cincinnati", "OH", "45202", 39.107000, -84.502000, ("513",), 6),
    ("Toledo", "OH", "43604", 41.652000, -83.537000, ("419", "567"), 3),
    ("Charlotte", "NC", "28202", 35.227000, -80.843000, ("704", "980"), 8),
    ("Raleigh", "NC", "27601", 35.773000, -78.634000, ("919", "984"), 6),
    ("Greensboro", "NC", "27401", 36.073000, -79.792000, ("336", "743"), 4),
    ("Asheville", "NC", "28801", 35.595000, -82.556000, ("828",), 2),
    ("Indianapolis", "IN", "46204", 39.771000, -86.158000, ("317", "463"), 8),
    ("Fort Wayne", "IN", "46802", 41.075000, -85.139000, ("260",), 3),
    ("Seattle", "WA", "98101", 47.610000, -122.334000, ("206", "564"), 9),
    ("Tacoma", "WA", "98402", 47.253000, -122.444000, ("253",), 3),
    ("Spokane", "WA", "99201", 47.659000, -117.426000, ("509",), 3),
    ("Bellevue", "WA", "98004", 47.614000, -122.192000, ("425",), 3),
    ("Denver", "CO", "80202", 39.752000, -104.999000, ("303", "720", "983"), 9),
    ("Colorado Springs", "CO", "80903", 38.834000, -104.821000, ("719",), 4),
    ("Boston", "MA", "02108", 42.357000, -71.064000, ("617", "857"), 9),
    ("Worcester", "MA", "01608", 42.262000, -71.802000, ("508", "774"), 4),
    ("Springfield", "MA", "01103", 42.101000, -72.590000, ("413",), 2),
    ("Lowell", "MA", "01852", 42.633000, -71.316000, ("978", "351"), 3),
    ("Nashville", "TN", "37203", 36.150000, -86.790000, ("615", "629"), 7),
    ("Memphis", "TN", "38103", 35.149000, -90.049000, ("901",), 6),
    ("Knoxville", "TN", "37902", 35.964000, -83.920000, ("865",), 3),
    ("Detroit", "MI", "48226", 42.331000, -83.046000, ("313",), 7),
    ("Grand Rapids", "MI", "49503", 42.963000, -85.668000, ("616",), 4),
    ("Ann Arbor", "MI", "48104", 42.280000, -83.743000, ("734",), 3),
    ("Lansing", "MI", "48933", 42.733000, -84.555000, ("517",), 2),
    ("Baltimore", "MD", "21202", 39.290000, -76.612000, ("410", "443", "667"), 7),
    ("Silver Spring", "MD", "20910", 38.991000, -77.026000, ("301", "240"), 5),
    ("Washington", "DC", "20001", 38.912000, -77.017000, ("202", "771"), 8),
    ("Milwaukee", "WI", "53202", 43.041000, -87.906000, ("414",), 5),
    ("Madison", "WI", "53703", 43.074000, -89.384000, ("608",), 4),
    ("Green Bay", "WI", "54301", 44.513000, -88.013000, ("920", "274"), 2),
    ("Minneapolis", "MN", "55401", 44.979000, -93.265000, ("612",), 6),
    ("Saint Paul", "MN", "55102", 44.944000, -93.093000, ("651",), 4),
    ("Duluth", "MN", "55802", 46.787000, -92.100000, ("218",), 1),
    ("Portland", "OR", "97204", 45.518000, -122.677000, ("503", "971"), 7),
    ("Eugene", "OR", "97401", 44.052000, -123.087000, ("541", "458"), 3),
    ("Las Vegas", "NV", "89101", 36.169000, -115.140000, ("702", "725"), 7),
    ("Reno", "NV", "89501", 39.529000, -119.813000, ("775",), 3),
    ("Louisville", "KY", "40202", 38.253000, -85.759000, ("502",), 5),
    ("Lexington", "KY", "40507", 38.040000, -84.503000, ("859",), 3),
    ("Oklahoma City", "OK", "73102", 35.468000, -97.516000, ("405", "572"), 5),
    ("Tulsa", "OK", "74103", 36.154000, -95.993000, ("918", "539"), 4),
    ("Albuquerque", "NM", "87102", 35.084000, -106.651000, ("505",), 4),
    ("Las Cruces", "NM", "88001", 32.312000, -106.778000, ("575",), 2),
    ("Atlanta", "GA", "30303", 33.749000, -84.388000, ("404", "470", "678", "770"), 14),
    ("Savannah", "GA", "31401", 32.081000, -81.091000, ("912",), 3),
    ("Augusta", "GA", "30901", 33.474000, -82.010000, ("706", "762"), 3),
    ("Kansas City", "MO", "64105", 39.103000, -94.583000, ("816",), 5),
    ("St. Louis", "MO", "63101", 38.631000, -90.193000, ("314", "557"), 6),
    ("Kansas City", "KS", "66101", 39.115000, -94.627000, ("913",), 3),
    ("Wichita", "KS", "67202", 37.687000, -97.336000, ("316",), 3),
    ("Omaha", "NE", "68102", 41.260000, -95.936000, ("402", "531"), 4),
    ("Lincoln", "NE", "68508", 40.813000, -96.702000, ("308",), 2),
    ("New Orleans", "LA", "70112", 29.957000, -90.077000, ("504",), 5),
    ("Baton Rouge", "LA", "70801", 30.451000, -91.187000, ("225",), 3),
    ("Shreveport", "LA", "71101", 32.525000, -93.750000, ("318",), 2),
    ("Birmingham", "AL", "35203", 33.519000, -86.810000, ("205", "659"), 4),
    ("Montgomery", "AL", "36104", 32.377000, -86.300000, ("334",), 2),
    ("Huntsville", "AL", "35801", 34.730000, -86.586000, ("256", "938"), 3),
    ("Jackson", "MS", "39201", 32.299000, -90.185000, ("601", "769"), 3),
    ("Gulfport", "MS", "39501", 30.367000, -89.093000, ("228",), 1),
    ("Little Rock", "AR", "72201", 34.746000, -92.289000, ("501",), 3),
    ("Fayetteville", "AR", "72701", 36.063000, -94.157000, ("479",), 2),
    ("Des Moines", "IA", "50309", 41.586000, -93.625000, ("515",), 3),
    ("Cedar Rapids", "IA", "52401", 41.977000, -91.665000, ("319",), 2),
    ("Salt Lake City", "UT", "84111", 40.756000, -111.883000, ("801", "385"), 5),
    ("Provo", "UT", "84601", 40.234000, -111.659000, ("435",), 2),
    ("Boise", "ID", "83702", 43.615000, -116.202000, ("208", "986"), 3),
    ("Billings", "MT", "59101", 45.783000, -108.501000, ("406",), 2),
    ("Cheyenne", "WY", "82001", 41.140000, -104.820000, ("307",), 1),
    ("Fargo", "ND", "58102", 46.877000, -96.790000, ("701",), 1),
    ("Sioux Falls", "SD", "57104", 43.546000, -96.731000, ("605",), 1),
    ("Anchorage", "AK", "99501", 61.218000, -149.900000, ("907",), 2),
    ("Honolulu", "HI", "96813", 21.309000, -157.858000, ("808",), 3),
    ("Newark", "NJ", "07102", 40.736000, -74.172000, ("973", "862"), 6),
    ("Jersey City", "NJ", "07302", 40.718000, -74.047000, ("201", "551"), 5),
    ("Trenton", "NJ", "08608", 40.220000, -74.764000, ("609", "640"), 3),
    ("New Brunswick", "NJ", "08901", 40.486000, -74.452000, ("732", "848"), 4),
    ("Hartford", "CT", "06103", 41.764000, -72.685000, ("860", "959"), 3),
    ("New Haven", "CT", "06510", 41.308000, -72.928000, ("203", "475"), 4),
    ("Providence", "RI", "02903", 41.824000, -71.412000, ("401",), 3),
    ("Manchester", "NH", "03101", 42.995000, -71.455000, ("603",), 2),
    ("Burlington", "VT", "05401", 44.476000, -73.212000, ("802",), 1),
    ("Portland", "ME", "04101", 43.661000, -70.255000, ("207",), 2),
    ("Wilmington", "DE", "19801", 39.739000, -75.539000, ("302",), 2),
    ("Richmond", "VA", "23219", 37.541000, -77.434000, ("804",), 4),
    ("Arlington", "VA", "22201", 38.887000, -77.094000, ("703", "571"), 5),
    ("Norfolk", "VA", "23510", 36.850000, -76.285000, ("757", "948"), 4),
    ("Charleston", "WV", "25301", 38.349000, -81.632000, ("304", "681"), 2),
    ("Columbia", "SC", "29201", 34.000000, -81.034000, ("803", "839"), 3),
    ("Charleston", "SC", "29401", 32.776000, -79.931000, ("843", "854"), 3),
    ("Greenville", "SC", "29601", 34.852000, -82.394000, ("864",), 3),
)

PRECISIONS = (
    ("Address", 40),
    ("Rooftop", 18),
    ("Point", 10),
    ("Range", 12),
    ("Street center", 8),
    ("Place", 8),
    ("State", 4),
)

CARRIERS = (
    ("Verizon Wireless", 34),
    ("AT&T Wireless", 30),
    ("T-Mobile US", 28),
    ("US Cellular", 3),
    ("Cricket Wireless", 2),
    ("Google Voice", 1),
    ("", 2),
)

LANGUAGES = (("en", 86), ("es", 11), ("zh", 1), ("vi", 1), ("fr", 1))

ISSUES = (
    "Housing",
    "Climate",
    "Health care",
    "Education",
    "Voting rights",
    "Immigration",
    "Jobs and wages",
    "Public transit",
    "Criminal justice",
    "Child care",
)

# Bodies of incoming texts, by message type; the outgoing ones live with the campaigns.
REPLY_BODIES = (
    "Thanks for the update!",
    "What time does it start?",
    "Is there parking nearby?",
    "Count me in",
    "Can I bring a friend?",
    "Where do I sign up to volunteer?",
    "Got it, thank you",
    "Which polling place is mine?",
    "Who do I call about my landlord?",
    "Love this work, keep it up",
    "Can you send me the link again?",
    "I already called my rep today",
)
